"""Fixtures every test folder gets (loaded with ``-p tests.fixtures`` in pytest's options)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


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
