"""Unit tests run in the sandbox as a reward: the python environment's grader on a completion's code."""

from __future__ import annotations

import json

import anyio
import pytest

from openenv_mcp.rewards import RewardError, Rubric, UnitTests
from openenv_mcp.spec import StepResult

pytestmark = pytest.mark.sandbox

TESTS = [{"call": "add(1, 2)", "expected": "3"}, {"call": "add(-1, 1)", "expected": "0"}]
RIGHT = "def add(a, b):\n    return a + b\n"
HALF = "Here is my answer:\n```python\ndef add(a, b):\n    return abs(a) + b\n```"


async def test_the_fraction_passed_in_a_sandbox_for_each_completion() -> None:
    rubric = Rubric([UnitTests()])
    rows = [
        {"completions": RIGHT, "tests": TESTS},
        {"completions": HALF, "tests": json.dumps(TESTS)},  # a CSV column holds JSON text
        {"completions": "import os; os._exit(3)", "tests": TESTS},
        {"completions": RIGHT, "tests": None},
    ]
    with anyio.fail_after(60):
        scores = await rubric.score(rows, [StepResult(terminated=True)] * 4)
    assert [s.values["unit_tests"] for s in scores] == [1.0, 0.5, 0.0, None]


def test_rows_without_hidden_tests_are_named() -> None:
    with pytest.raises(RewardError, match="needs the column 'tests'"):
        UnitTests()(completions=[RIGHT])
    with pytest.raises(RewardError, match="holds no hidden tests"):
        UnitTests()(completions=[RIGHT], tests=[[{"call": "add(1, 2)"}]])
