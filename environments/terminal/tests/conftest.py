"""Fixtures: a terminal environment whose sandbox is closed, and checked gone, after each test."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import anyio
import pytest

from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp_terminal import TerminalEnvironment


@pytest.fixture
async def env() -> AsyncIterator[TerminalEnvironment]:
    environment = TerminalEnvironment()
    yield environment
    marker = getattr(environment.sandbox, "marker", None)
    with anyio.fail_after(10):
        await environment.close()
    if isinstance(marker, str):
        assert sandbox_processes(marker) == [], "a sandbox process outlived its episode"


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
