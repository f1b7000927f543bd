"""The programming tasks, shipped as JSON data in `tasks/`: a statement, a starter file, hidden tests.

The hidden tests are calls with expected values. The calls run in a sandbox of their own;
the expected values never leave the host, where the outcomes are compared with them.
"""

from __future__ import annotations

import ast
import functools
import json
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["SOLUTION_FILE", "HiddenTest", "Task", "load_tasks", "task_ids"]

SOLUTION_FILE = "solution.py"
"""Where the agent writes its solution, relative to the workspace."""


class HiddenTest(BaseModel):
    """One hidden test: a call, and either its expected value or the exception it must raise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    call: str = Field(description="A Python expression calling the solution's function.")
    expected: str | None = Field(default=None, description="The expected value, as a Python literal.")
    raises: str | None = Field(default=None, description="The name of the exception the call must raise.")

    @model_validator(mode="after")
    def _one_outcome(self) -> HiddenTest:
        if (self.expected is None) == (self.raises is None):
            raise ValueError(f"test {self.call!r} needs exactly one of expected and raises")
        if self.expected is not None:
            ast.literal_eval(self.expected)
        return self

    def expected_value(self) -> Any:
        """The expected value as a Python object.

        >>> HiddenTest(call="f()", expected="(1, 'a')").expected_value()
        (1, 'a')
        """
        return None if self.expected is None else ast.literal_eval(self.expected)


class Task(BaseModel):
    """A small programming task: write one function in `/workspace/solution.py`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str
    function: str = Field(description="The name of the function to write.")
    signature: str = Field(description="Its signature, as a `def` line.")
    statement: str
    starter: str = Field(description="The starting content of solution.py.")
    tests: tuple[HiddenTest, ...] = Field(min_length=1)


@functools.cache
def load_tasks() -> dict[str, Task]:
    """Every shipped task by id, read once from the package data."""
    folder = resources.files("openenv_mcp_python") / "tasks"
    tasks: dict[str, Task] = {}
    for entry in sorted(folder.iterdir(), key=lambda entry: entry.name):
        if entry.name.endswith(".json"):
            task = Task.model_validate(json.loads(entry.read_text(encoding="utf-8")))
            tasks[task.id] = task
    return tasks


def task_ids() -> list[str]:
    """The ids of the shipped tasks, sorted (the order a seeded choice draws from).

    >>> "fizzbuzz" in task_ids()
    True
    """
    return sorted(load_tasks())
