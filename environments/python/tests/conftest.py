"""Fixtures for the python environment's tests: started episodes and the reference solutions."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncGenerator, Callable, Iterator
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


@pytest.fixture
def private_tempdir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary folder of this test's own, made the default, that sandbox users can pass through.

    The conformance check diffs the temporary folder, which other runs' sandboxes would disturb.
    pytest's `tmp_path` will not do: under root its parents are private, and each sandbox runs
    as an unprivileged user of its own that must reach its workspace inside.
    """
    folder = Path(tempfile.mkdtemp(prefix="openenv-test-"))
    folder.chmod(0o711)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)
