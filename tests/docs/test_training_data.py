"""The worked example of docs/training-data.md runs, end to end (the blocks above it are fragments)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "training-data.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def blocks() -> list[str]:
    """The Python blocks of the worked example's section."""
    text = GUIDE.read_text(encoding="utf-8")
    return BLOCK.findall(text[text.index("## A worked example, end to end") :])


def test_the_page_has_its_worked_example() -> None:
    assert any("VectorEnvClient" in block and "evaluate(" in block for block in blocks())


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_worked_example_runs() -> None:
    namespace: dict[str, object] = {"__name__": "training_data"}
    for number, block in enumerate(blocks(), start=1):
        try:
            exec(compile(block, f"{GUIDE.name}, block {number}", "exec"), namespace)
        except Exception as exc:
            raise AssertionError(f"block {number} of {GUIDE.name} fails: {exc!r}\\n{block}") from exc
