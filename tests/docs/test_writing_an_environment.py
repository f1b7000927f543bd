"""Every Python block of docs/writing-an-environment.md runs, in order, in one namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "writing-an-environment.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def blocks() -> list[str]:
    return BLOCK.findall(GUIDE.read_text(encoding="utf-8"))


def test_the_guide_has_its_examples() -> None:
    assert len(blocks()) >= 3


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_every_block_runs_in_order() -> None:
    namespace: dict[str, object] = {"__name__": "guide"}
    for number, block in enumerate(blocks(), start=1):
        try:
            exec(compile(block, f"{GUIDE.name}, block {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"block {number} of {GUIDE.name} fails: {exc!r}\n{block}") from exc
