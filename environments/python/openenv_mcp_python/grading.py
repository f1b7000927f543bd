"""Grade a solution against a task's hidden tests in a fresh sandbox, isolated from the agent's.

The hidden calls travel only into that sandbox, as the runner's code; the expected values
stay on the host. The runner's report is found by a marker drawn from `secrets` for each
run, so text the solution prints cannot pass for it, and a report that claims a value
still has to match the expected one here.
"""

from __future__ import annotations

import ast
import builtins
import secrets
from importlib import resources
from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openenv_mcp.sandbox import ExecResult, SandboxLimits
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_python.observations import CaseResult, SubmissionReport
from openenv_mcp_python.tasks import SOLUTION_FILE, HiddenTest, Task

__all__ = ["grade", "same_value", "time_per_call"]

_RUNNER = (resources.files("openenv_mcp_python") / "runner.py").read_text(encoding="utf-8")
_BUILTIN_ERRORS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)


def _shown(error: str) -> str:
    """An exception's name for the agent: a builtin's, else a generic phrase.

    The solution names its own exception classes, and could name one after a hidden input.

    >>> _shown("KeyError"), _shown("to_roman_1994")
    ('KeyError', 'an exception of its own')
    """
    return error if error in _BUILTIN_ERRORS else "an exception of its own"


class _Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    repr: str | None = None
    error: str | None = None
    timeout: bool = False


class _Report(BaseModel):
    model_config = ConfigDict(extra="forbid")

    import_error: str | None = None
    cases: list[_Outcome] = Field(default_factory=list[_Outcome])


def time_per_call(wall_seconds: float, calls: int) -> float:
    """Seconds each hidden call may take, so a slow call leaves time for the others.

    >>> time_per_call(10.0, 8), time_per_call(2.0, 8)
    (1.0, 0.2)
    """
    return min(1.0, wall_seconds / (calls + 2))


async def grade(
    provider: SandboxProvider, limits: SandboxLimits, task: Task, solution: str
) -> SubmissionReport:
    """Run `task`'s hidden tests against `solution` in a sandbox of its own, closed afterwards."""
    marker = f"openenv-python-report-{secrets.token_hex(16)}:"
    calls = [test.call for test in task.tests]
    seconds = time_per_call(limits.wall_seconds, len(calls))
    code = f"{_RUNNER}\nrun_hidden_tests({marker!r}, {calls!r}, {seconds!r})\n"
    sandbox = await provider.acquire(limits)
    try:
        (sandbox.workspace / SOLUTION_FILE).write_text(solution, encoding="utf-8")
        result = await sandbox.execute(code, wall_seconds=limits.wall_seconds)
    finally:
        with anyio.CancelScope(shield=True):
            await sandbox.close()
    return _score(task, _parse(result, marker))


def _parse(result: ExecResult, marker: str) -> _Report | str:
    """The runner's report, or why there is none."""
    if result.killed is not None:
        return f"the test run did not finish: {result.killed}"
    lines = [line for line in result.stdout.splitlines() if line.startswith(marker)]
    if not lines:
        return "the test run produced no report (did the solution end the process?)"
    try:
        return _Report.model_validate_json(lines[-1][len(marker) :])
    except ValidationError:
        return "the test run's report was malformed"


def _score(task: Task, report: _Report | str) -> SubmissionReport:
    total = len(task.tests)
    if isinstance(report, str):
        return SubmissionReport(task=task.id, passed=0, total=total, problem=report)
    if report.import_error is not None:
        problem = f"importing solution.py raised {_shown(report.import_error)}; no hidden test could run"
        return SubmissionReport(task=task.id, passed=0, total=total, problem=problem)
    outcomes = (report.cases + [_Outcome(error="NoResult")] * total)[:total]
    cases = [
        _judge(number, test, outcome)
        for number, (test, outcome) in enumerate(zip(task.tests, outcomes, strict=True), 1)
    ]
    return SubmissionReport(task=task.id, passed=sum(case.passed for case in cases), total=total, cases=cases)


def _judge(number: int, test: HiddenTest, outcome: _Outcome) -> CaseResult:
    if outcome.timeout:
        return CaseResult(number=number, passed=False, verdict="took too long")
    if test.raises is not None:
        if outcome.error == test.raises:
            return CaseResult(number=number, passed=True, verdict="raised as expected")
        got = f"raised {_shown(outcome.error)}" if outcome.error else "returned a value"
        return CaseResult(number=number, passed=False, verdict=f"{got} instead of raising {test.raises}")
    if outcome.error is not None:
        return CaseResult(number=number, passed=False, verdict=f"raised {_shown(outcome.error)}")
    passed = outcome.repr is not None and _matches(outcome.repr, test.expected_value())
    return CaseResult(number=number, passed=passed, verdict="passed" if passed else "wrong result")


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
