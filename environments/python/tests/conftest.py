"""Fixtures for the python environment's tests: started episodes and the reference solutions."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from pathlib import Path

import anyio
import pytest

from openenv_mcp_python import PythonEnvironment

SOLUTIONS = Path(__file__).with_name("solutions")
"""One reference solution per task, `<task id>.py`; each passes all of its task's hidden tests."""


def reference(task: str) -> str:
    """The reference solution of `task`."""
    return (SOLUTIONS / f"{task}.py").read_text()


@pytest.fixture
def solution() -> Callable[[str], str]:
    return reference


@pytest.fixture
async def roman() -> AsyncGenerator[PythonEnvironment]:
    """An episode of the to_roman task, with a short wall-clock limit."""
    env = PythonEnvironment()
    with anyio.fail_after(30):
        await env.reset(seed=0, options={"task": "to_roman", "sandbox": {"wall_seconds": 2}})
    yield env
    with anyio.fail_after(30):
        await env.close()
