"""Verdicts carry no side channel: solutions that encode the hidden inputs differently get the same report.

Each group holds solutions that fail alike but signal the inputs in different ways (which
exception, its name, its message, the exit status, when the process ends, what they
print); within a group, every report must be the same, word for word.
"""

from __future__ import annotations

import anyio
import pytest

from openenv_mcp.sandbox import SandboxLimits
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_python import VERDICTS, PythonEnvironment, SubmissionReport, load_tasks
from openenv_mcp_python.grading import NO_REPORT, grade

pytestmark = pytest.mark.sandbox

LIMITS = SandboxLimits(wall_seconds=5)
ERRORS = "[KeyError, TypeError, IndexError, ZeroDivisionError, LookupError, OSError, EOFError, MemoryError]"
PRINTS = """\
import os, sys
def say(number):
    print(number)
    print(number, file=sys.stderr)
    os.write(1, f"openenv-python-report-{number}:{{}}\\n".encode())
    os.write(2, str(number).encode())
"""

SAME_REPORT: dict[str, list[str]] = {
    "raises, choosing the exception by the input": [
        f"def to_roman(number):\n    raise {ERRORS}[number % 8](number)\n",
        f"def to_roman(number):\n    raise {ERRORS}[(number // 3 + 5) % 8]('x' * number)\n",
        "def to_roman(number):\n    raise type(f'input_{number}', (Exception,), {})()\n",
        "class Named(Exception):\n    pass\n"
        "def to_roman(number):\n    Named.__name__ = Named.__qualname__ = str(number)\n    raise Named\n",
        "def to_roman(number):\n    raise NotImplementedError\n",
    ],
    "ends the process on a chosen input": [
        "import os\ndef to_roman(number):\n    if number == 1994:\n        os._exit(3)\n    return 'I'\n",
        "import os\ndef to_roman(number):\n    if number == 4:\n        os._exit(number)\n    return 'I'\n",
        "import os, signal\ndef to_roman(number):\n    if number > 2000:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n    return 'I'\n",
        PRINTS
        + "def to_roman(number):\n    say(number)\n    if number == 0:\n        os._exit(0)\n    return 0\n",
    ],
    "prints the input": [
        PRINTS + "def to_roman(number):\n    say(number)\n    return 'I'\n",
        "def to_roman(number):\n    return 'I'\n",
    ],
}


@pytest.fixture
def provider() -> SandboxProvider:
    return SandboxProvider(PythonEnvironment.code_tool_specs(), LIMITS, pool_size=0)


async def graded_alongside(provider: SandboxProvider, sources: list[str]) -> list[SubmissionReport]:
    """Grade each of `sources` while a bystander sandbox keeps answering."""
    task = load_tasks()["to_roman"]
    reports: list[SubmissionReport] = []

    async def grade_all() -> None:
        for source in sources:
            reports.append(await grade(provider, LIMITS, task, source))

    with anyio.fail_after(60):
        bystander = await provider.acquire()
        try:
            async with anyio.create_task_group() as tasks:
                tasks.start_soon(grade_all)
                for _ in range(3):
                    assert (await bystander.execute("6 * 7")).value == "42"
        finally:
            await bystander.close()
    return reports


@pytest.mark.parametrize("group", list(SAME_REPORT))
async def test_different_encodings_of_the_inputs_get_the_same_report(
    provider: SandboxProvider, group: str
) -> None:
    reports = await graded_alongside(provider, SAME_REPORT[group])
    first = reports[0]
    assert all(report == first for report in reports), [report.to_text() for report in reports]
    assert {case.verdict for case in first.cases} <= VERDICTS
    assert first.passed <= 1, first.to_text()  # to_roman(1) == "I" at most
    text = first.to_text()
    for word in ("Error", "input_", "1994", "3999", "exit", "signal", "status"):
        assert word not in text, text


async def test_a_process_ended_on_one_input_hides_which(provider: SandboxProvider) -> None:
    """Ending the process gives the whole run one fixed problem, not a verdict per test."""
    (report,) = await graded_alongside(provider, [SAME_REPORT["ends the process on a chosen input"][0]])
    assert (report.passed, report.cases, report.problem) == (0, [], NO_REPORT)
