"""Harbor task folders written for the tests: a task that passes when answer.txt says 42."""

from __future__ import annotations

from pathlib import Path

TEST_SH = """#!/bin/bash
mkdir -p /logs/verifier
if [ "$(cat answer.txt 2>/dev/null)" = "42" ] && [ -f /tests/expected.txt ]; then
  echo 1 > /logs/verifier/reward.txt
else
  echo 0 > /logs/verifier/reward.txt
fi
"""


def write_task(root: Path, name: str = "answer") -> Path:
    """A complete Harbor task folder under `root`."""
    folder = root / name
    (folder / "tests").mkdir(parents=True)
    (folder / "environment" / "data").mkdir(parents=True)
    (folder / "solution").mkdir()
    (folder / "task.toml").write_text(
        'version = "1.0"\n[task]\nname = "demo/answer"\n[metadata]\ndifficulty = "easy"\n'
        "[verifier]\ntimeout_sec = 20.0\n[agent]\ntimeout_sec = 60.0\n"
    )
    (folder / "instruction.md").write_text("Write the answer, 42, into answer.txt.\n")
    (folder / "tests" / "test.sh").write_text(TEST_SH)
    (folder / "tests" / "expected.txt").write_text("42\n")
    (folder / "environment" / "Dockerfile").write_text("FROM python:3.11-slim\n")
    (folder / "environment" / "data" / "hint.txt").write_text("the answer is a number\n")
    (folder / "solution" / "solve.sh").write_text("echo 42 > answer.txt\n")
    return folder
