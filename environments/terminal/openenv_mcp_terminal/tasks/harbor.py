"""Harbor tasks as terminal tasks: a task row (`openenv_mcp.tasks.harbor`) run in our sandboxes.

The workspace starts with the task's ``environment/`` files (its Dockerfile is not run: there
is no container here). `check()` copies the workspace to a fresh grader sandbox as every
check does, writes ``tests/`` into it under ``.harbor/tests`` (the agent never sees them),
and runs ``bash .harbor/tests/test.sh`` in /workspace. Harbor's absolute ``/tests`` and
``/logs`` paths in the test files are rewritten to ``/workspace/.harbor/...``. The task
passes when ``/logs/verifier/reward.txt`` holds a reward of 1 or more, or, without that
file, when test.sh exits 0.
"""

from __future__ import annotations

import re
from functools import partial

from pydantic import BaseModel, ConfigDict, Field, field_validator

from openenv_mcp_terminal.tasks.base import CheckContext, Task, TaskInstance, Verdict

__all__ = ["HarborTask", "harbor_task"]

_HARBOR = "/workspace/.harbor"
_ABSOLUTE = re.compile(r"(?<![\w./-])/(tests|logs)(?=/|\b)")
_REWARD = ".harbor/logs/verifier/reward.txt"


class HarborTask(BaseModel):
    """A Harbor task folder's content, as `openenv_mcp.tasks.load` reads it (a `task` option)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: str
    instruction: str
    files: dict[str, str] = Field(default_factory=dict[str, str])
    tests: dict[str, str]
    solution: str | None = None
    verifier_timeout: float = Field(default=120.0, gt=0)

    @field_validator("tests")
    @classmethod
    def _has_test_sh(cls, tests: dict[str, str]) -> dict[str, str]:
        if "test.sh" not in tests:
            raise ValueError("a Harbor task's tests need test.sh")
        return tests


def harbor_task(task: HarborTask) -> Task:
    """The terminal task that runs `task` (the same instance for every seed)."""
    instance = TaskInstance(
        statement=f"{task.instruction.rstrip()}\n\nWork in /workspace. When you are done, call check().",
        files=task.files,
        verify=partial(_verify, task=task),
        solution=(task.solution,) if task.solution else (),
    )
    return Task(id=task.id, title=task.title, generate=lambda rng: instance)


async def _verify(context: CheckContext, *, task: HarborTask) -> Verdict:
    for path, content in task.tests.items():
        context.workspace.write_text(f".harbor/tests/{path}", _ABSOLUTE.sub(rf"{_HARBOR}/\1", content))
    context.workspace.write_text(".harbor/logs/verifier/.keep", "")
    result = await context.run("bash .harbor/tests/test.sh")
    if context.workspace.exists(_REWARD):
        text = context.workspace.read_text(_REWARD, limit=1_000).strip()
        try:
            reward = float(text)
        except ValueError:
            return Verdict(False, f"the verifier wrote a reward that is not a number: {text[:40]!r}")
        return Verdict(reward >= 1.0, f"the verifier's reward: {reward:g}")
    if result.exit_code == 0:
        return Verdict(True, "the tests passed")
    return Verdict(False, f"the tests failed (exit status {result.exit_code})")
