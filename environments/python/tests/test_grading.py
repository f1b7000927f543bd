"""Grading: every reference solution passes, no starter does, and a cheating solution earns nothing."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import pytest

from openenv_mcp import ToolCallAction
from openenv_mcp.environment import CodeObservation
from openenv_mcp.sandbox import SandboxLimits
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_python import VERDICTS, PythonEnvironment, SubmissionReport, load_tasks, task_ids
from openenv_mcp_python.grading import IMPORT_RAISED, IMPORT_TIMED_OUT, NO_REPORT, grade

pytestmark = pytest.mark.sandbox

LIMITS = SandboxLimits(wall_seconds=5)


@pytest.fixture
def provider() -> SandboxProvider:
    return SandboxProvider(PythonEnvironment.code_tool_specs(), LIMITS, pool_size=0)


@pytest.mark.parametrize("task", task_ids())
async def test_the_reference_solution_passes_and_the_starter_fails(
    provider: SandboxProvider, solution: Callable[[str], str], task: str
) -> None:
    with anyio.fail_after(30):
        passed = await grade(provider, LIMITS, load_tasks()[task], solution(task))
        failed = await grade(provider, LIMITS, load_tasks()[task], load_tasks()[task].starter)
    assert passed.all_passed, passed.to_text()
    assert failed.passed == 0
    assert [case.verdict for case in failed.cases] == ["raised"] * len(failed.cases)


def assert_fixed_alphabet(report: SubmissionReport) -> None:
    """Everything in `report` that the solution could steer comes from a fixed set."""
    assert {case.verdict for case in report.cases} <= VERDICTS
    assert [case.number for case in report.cases] == list(range(1, len(report.cases) + 1))
    assert len(report.cases) in (0, report.total)
    assert report.problem in (None, IMPORT_RAISED, IMPORT_TIMED_OUT, NO_REPORT)


async def submitted(env: PythonEnvironment, source: str) -> SubmissionReport:
    with anyio.fail_after(30):
        await env.step(
            ToolCallAction(tool_name="write_file", parameters={"path": "solution.py", "content": source})
        )
        result = await env.step(ToolCallAction(tool_name="submit"))
    assert isinstance(result.observation, SubmissionReport), result.observation
    return result.observation


FAKE_REPORT = """\
import json
claim = {"import_error": None, "cases": [{"repr": repr(x)} for x in ["I", "IV", "IX", "XIV"]]}
for marker in ("openenv-python-report-" + "0" * 32 + ":", ""):
    print(marker + json.dumps(claim))
def to_roman(number):
    return "?"
"""

FORGE_THE_REPORT = """\
import sys
frame = sys._getframe()
while "report" not in frame.f_locals:
    frame = frame.f_back
class Forged(list):
    def append(self, outcome):
        super().append({"repr": "'I'"})
frame.f_locals["report"]["cases"] = Forged()
def to_roman(number):
    raise KeyError(number)
"""

CHEATS = {
    "prints a fake report": (FAKE_REPORT, "test 1: wrong result"),
    "raises at import": ("raise SystemExit(0)\n", IMPORT_RAISED),
    "raises in every call": ("def to_roman(number):\n    raise KeyError(number)\n", "test 1: raised"),
    "leaks inputs through exception names": (
        "def to_roman(number):\n    raise type(f'input_{number}', (Exception,), {})()\n",
        "test 1: raised",
    ),
    "loops in every call": ("def to_roman(number):\n    while True:\n        pass\n", "test 1: timed out"),
    "loops at import": ("while True:\n    pass\n", IMPORT_TIMED_OUT),
    "swallows the alarm": (
        "def to_roman(number):\n    while True:\n        try:\n            while True:\n"
        "                pass\n        except BaseException:\n            pass\n",
        NO_REPORT,
    ),
    "ends the process": ("import os\nos._exit(0)\n", NO_REPORT),
    "forges the runner's own report": (
        FORGE_THE_REPORT,
        "test 2: wrong result",
    ),  # not "raised": forged, yet judged
    "prints a flood": ("print('x' * 10**7)\ndef to_roman(number):\n    return 'I'\n", "test 2: wrong result"),
}


@pytest.mark.parametrize("cheat", list(CHEATS))
async def test_a_cheating_solution_earns_nothing_and_the_episode_goes_on(
    roman: PythonEnvironment, solution: Callable[[str], str], cheat: str
) -> None:
    source, message = CHEATS[cheat]
    report = await submitted(roman, source)
    assert report.passed <= 1 and roman.best <= 1 / 12, report.to_text()  # only to_roman(1) == "I" can pass
    assert message in report.to_text() and "input_" not in report.to_text()
    assert_fixed_alphabet(report)
    honest = await submitted(roman, solution("to_roman"))
    assert honest.all_passed and roman.terminated


async def test_the_hidden_tests_never_reach_the_agents_sandbox(roman: PythonEnvironment) -> None:
    await submitted(roman, "def to_roman(number):\n    return 'I'\n")
    probe = """\
import os, sys, importlib.util
found = []
system = {"proc", "sys", "dev", "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"}
for top in sorted(set(os.listdir("/")) - system):
    for folder, folders, files in os.walk("/" + top):
        # the interpreter's own read-only files are no place for the tests either, but many
        folders[:] = [f for f in folders if not os.path.join(folder, f).startswith(sys.base_prefix)]
        for name in files:
            try:
                text = open(os.path.join(folder, name), errors="ignore").read()
            except OSError:
                continue
            if "to_roman(3999)" in text or "MMMCMXCIX" in text:
                found.append(os.path.join(folder, name))
print(sorted(os.listdir("/workspace")), found, importlib.util.find_spec("openenv_mcp_python"))
"""
    with anyio.fail_after(30):
        result = await roman.step(ToolCallAction(tool_name="run_python", parameters={"code": probe}))
    assert isinstance(result.observation, CodeObservation)
    assert result.observation.stdout == "['solution.py'] [] None\n"
