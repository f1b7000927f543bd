"""Grade a solution against a task's hidden tests in a fresh sandbox, isolated from the agent's.

The hidden calls travel only into that sandbox, as the runner's code; the expected values
stay on the host. The runner's report is found by a marker drawn from `secrets` for each
run, so text the solution prints cannot pass for it, and a report that claims a value
still has to match the expected one here.

What comes back to the agent is built only from a fixed alphabet, because the solution sees
each hidden input and chooses how to fail on it: each test's verdict is one of `VERDICTS`
(never an exception's name, a value's repr or an exit status), and a run that cannot be
judged test by test gets one of three fixed problem texts (`IMPORT_RAISED`,
`IMPORT_TIMED_OUT`, `NO_REPORT`), whichever test it ended on.
"""

from __future__ import annotations

import ast
import secrets
from importlib import resources
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openenv_mcp.environment.progress import Reporter
from openenv_mcp.sandbox import ExecResult, SandboxLimits
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_python.observations import CaseResult, SubmissionReport, Verdict
from openenv_mcp_python.tasks import SOLUTION_FILE, HiddenTest, Task
from openenv_mcp_python.workspace import Workspace

__all__ = ["IMPORT_RAISED", "IMPORT_TIMED_OUT", "NO_REPORT", "grade", "same_value", "time_per_call"]

IMPORT_RAISED = (
    "importing solution.py raised; no hidden test could run "
    "(run `import solution` with run_python to see why)"
)
IMPORT_TIMED_OUT = "importing solution.py timed out; no hidden test could run"
NO_REPORT = (
    "the test run ended without a complete report (the solution ended the process, outlasted the "
    "per-call timer or flooded the output); no hidden test counts"
)

_RUNNER = (resources.files("openenv_mcp_python") / "runner.py").read_text(encoding="utf-8")


class _Outcome(BaseModel):
    """What the runner saw one call do; `error` is an exception's name, compared, never shown."""

    model_config = ConfigDict(extra="forbid")

    repr: str | None = None
    error: str | None = None
    timeout: bool = False


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    imported: _Outcome
    cases: list[_Outcome] = Field(default_factory=list[_Outcome])


def time_per_call(wall_seconds: float, calls: int) -> float:
    """Seconds each hidden call may take, so a slow call leaves time for the others.

    >>> time_per_call(10.0, 8), time_per_call(2.0, 8)
    (1.0, 0.2)
    """
    return min(1.0, wall_seconds / (calls + 2))


async def grade(
    provider: SandboxProvider,
    limits: SandboxLimits,
    task: Task,
    solution: str,
    progress: Reporter | None = None,
) -> SubmissionReport:
    """Run `task`'s hidden tests against `solution` in a sandbox of its own, closed afterwards.

    `progress(done, total, message)` hears the phases: the sandbox starting, the tests running.
    """
    marker = f"openenv-python-report-{secrets.token_hex(16)}:"
    calls = [test.call for test in task.tests]
    seconds = time_per_call(limits.wall_seconds, len(calls))
    if progress is not None:
        await progress(0, 2, "submit: starting the grader's sandbox")
    sandbox = await provider.acquire(limits)
    if progress is not None:
        await progress(1, 2, f"submit: running {len(calls)} hidden tests")
    try:
        workspace = sandbox.code_workspace
        code = f"{_RUNNER}\nrun_hidden_tests({marker!r}, {calls!r}, {seconds!r}, {workspace!r})\n"
        Workspace(sandbox.workspace).write_text(SOLUTION_FILE, solution)
        result = await sandbox.execute(code, wall_seconds=limits.wall_seconds)
    finally:
        with anyio.CancelScope(shield=True):
            await sandbox.close()
    return _score(task, _parse(result, marker, len(calls)))


def _parse(result: ExecResult, marker: str, calls: int) -> _Report | None:
    """The runner's report, or None when there is no whole one (why not is not told apart)."""
    if result.killed is not None:
        return None
    lines = [line for line in result.stdout.splitlines() if line.startswith(marker)]
    if not lines:
        return None
    try:
        report = _Report.model_validate_json(lines[-1][len(marker) :])
    except ValidationError:
        return None
    if _import_problem(report.imported) is None and len(report.cases) != calls:
        return None  # cut short, or forged from inside the process
    return report


def _score(task: Task, report: _Report | None) -> SubmissionReport:
    total = len(task.tests)
    problem = NO_REPORT if report is None else _import_problem(report.imported)
    if report is None or problem is not None:
        return SubmissionReport(task=task.id, passed=0, total=total, problem=problem)
    verdicts: list[Verdict] = [
        _judge(test, outcome) for test, outcome in zip(task.tests, report.cases, strict=True)
    ]
    cases = [
        CaseResult(number=number, passed=verdict == "passed", verdict=verdict)
        for number, verdict in enumerate(verdicts, 1)
    ]
    return SubmissionReport(task=task.id, passed=sum(case.passed for case in cases), total=total, cases=cases)


def _import_problem(imported: _Outcome) -> str | None:
    if imported.timeout:
        return IMPORT_TIMED_OUT
    return IMPORT_RAISED if imported.error is not None or imported.repr is None else None


def _judge(test: HiddenTest, outcome: _Outcome) -> Verdict:
    """The verdict on one call: only whether it passed, returned, raised or ran out of time.

    Which exception was raised, and what was returned, never shows: the solution chooses them
    and could choose them by the hidden input. A test that must raise passes when the call
    raised that exception; any other exception is `raised`, a returned value `wrong result`.

    >>> must_raise = HiddenTest(call="f(0)", raises="ValueError")
    >>> [_judge(must_raise, _Outcome(error=name)) for name in ("ValueError", "KeyError", "input_0")]
    ['passed', 'raised', 'raised']
    >>> must_return = HiddenTest(call="f(1)", expected="1")
    >>> _judge(must_raise, _Outcome(repr="1")), _judge(must_return, _Outcome(repr="1"))
    ('wrong result', 'passed')
    """
    if outcome.timeout:
        return "timed out"
    if outcome.error is not None:
        return "passed" if outcome.error == test.raises else "raised"
    if test.raises is not None or outcome.repr is None:
        return "wrong result"
    return "passed" if _matches(outcome.repr, test.expected_value()) else "wrong result"


def _matches(shown: str, expected: Any) -> bool:
    try:
        actual = ast.literal_eval(shown)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False
    return same_value(actual, expected)


def same_value(actual: Any, expected: Any) -> bool:
    """Equal, and of the same types all the way down (so `1` is not `True`, a list not a tuple).

    >>> same_value([1, (2, "a")], [1, (2, "a")]), same_value(1, True), same_value([1], (1,))
    (True, False, False)
    """
    if type(actual) is not type(expected):
        return False
    if isinstance(actual, list | tuple):
        items: list[Any] | tuple[Any, ...] = expected
        return len(actual) == len(items) and all(map(same_value, actual, items))  # pyright: ignore[reportUnknownArgumentType]
    if isinstance(actual, dict):
        mapping: dict[Any, Any] = expected
        return actual.keys() == mapping.keys() and all(
            same_value(actual[key], mapping[key]) for key in mapping
        )  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return actual == expected
