"""Unit tests run in the sandbox as a reward: the python environment's grader, for any completion.

The completion is Python source (its last fenced block when it has one) for ``solution.py``;
the row's `tests` column holds hidden tests in the python environment's form, a list of
``{"call": "f(1)", "expected": "2"}`` or ``{"call": ..., "raises": "ValueError"}`` (or that
list as JSON text). The reward is the fraction passed. Each completion gets a fresh sandbox
of its own, started, graded and closed, so nothing one run leaves behind reaches another.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import anyio
from pydantic import ValidationError

from openenv_mcp.rewards.builtin import text_of
from openenv_mcp.rewards.errors import RewardError
from openenv_mcp.sandbox import SandboxLimits
from openenv_mcp.sandbox.provider import Backend, SandboxProvider, backend_factory
from openenv_mcp_adapters.code import from_code_block

__all__ = ["UnitTests", "solution_source"]


def solution_source(completion: str) -> str:
    """The code of a completion: its last fenced Python block, else all of it.

    >>> solution_source("Here:\\n```python\\ndef f():\\n    return 1\\n```")
    'def f():\\n    return 1'
    """
    block = from_code_block(completion)
    return completion if not hasattr(block, "code") else str(getattr(block, "code"))  # noqa: B009


class UnitTests:
    """The fraction of the row's hidden tests the completion's code passes, graded in a sandbox."""

    def __init__(
        self, column: str = "tests", *, backend: Backend = "bubblewrap", wall_seconds: float = 10.0
    ) -> None:
        self.column = column
        self.backend: Backend = backend
        self.limits = SandboxLimits(wall_seconds=wall_seconds)
        self.__name__ = "unit_tests"

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        if self.column not in kwargs:
            raise RewardError(f"unit_tests needs the column {self.column!r}; the rows have {sorted(kwargs)}")
        tests: list[Any] = kwargs[self.column]
        return anyio.run(self.grade_all, [text_of(c) for c in completions], tests)

    async def grade_all(self, completions: list[str], tests: list[Any]) -> list[float | None]:
        """Grade each completion against its row's tests (None where a row has none)."""
        provider = SandboxProvider([], self.limits, factory=backend_factory(self.backend), pool_size=0)
        return [await self.grade(provider, code, row) for code, row in zip(completions, tests, strict=True)]

    async def grade(self, provider: SandboxProvider, completion: str, tests: Any) -> float | None:
        from openenv_mcp_python.grading import grade
        from openenv_mcp_python.tasks import HiddenTest, Task

        if tests is None:
            return None
        if isinstance(tests, str):
            tests = json.loads(tests)
        try:
            hidden = tuple(HiddenTest.model_validate(t) for t in tests)
            task = Task(
                id="reward", title="reward", function="f", signature="def f()", statement="",
                starter="", tests=hidden,
            )  # fmt: skip
        except (ValidationError, TypeError) as exc:
            raise RewardError(f"the {self.column!r} column holds no hidden tests: {exc}") from exc
        report = await grade(provider, self.limits, task, solution_source(completion))
        return report.passed / report.total
