"""The rubric: TRL-signature functions, weights, None, failures kept per reward, and loading by name."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from openenv_mcp.rewards import ExactMatch, Regex, Reward, RewardError, Rubric, load_reward, load_rubric
from openenv_mcp.spec import StepResult

END = StepResult(reward=0.5, terminated=True)
MIDDLE = StepResult(reward=0.25)


def length(completions: list[str], **kwargs: Any) -> list[float]:
    return [float(len(c)) for c in completions]


def broken(completions: list[str], **kwargs: Any) -> list[float]:
    raise RuntimeError("the grader fell over")


async def test_a_weighted_sum_of_the_environment_and_the_rewards_from_outside() -> None:
    rubric = Rubric([Reward(length, weight=0.1), Reward(ExactMatch("answer"), weight=2.0)], env_weight=3.0)
    rows = [{"completions": "crane", "answer": "CRANE"}, {"completions": "slate", "answer": "crane"}]
    with anyio.fail_after(10):
        first, second = await rubric.score(rows, [END, END])
    assert first.values == {"length": 5.0, "exact_match": 1.0}
    assert first.total == pytest.approx(3.0 * 0.5 + 0.5 + 2.0)
    assert second.values == {"length": 5.0, "exact_match": 0.0}
    assert second.info() == {"external_rewards": second.values, "combined_reward": pytest.approx(2.0)}


async def test_end_rewards_wait_for_the_end_and_step_rewards_score_every_step() -> None:
    rubric = Rubric([Reward(length, on="step"), Reward(Regex("^c"), name="starts_with_c")])
    with anyio.fail_after(10):
        middle, end = await rubric.score([{"completions": "crane"}] * 2, [MIDDLE, END])
    assert middle.values == {"length": 5.0}
    assert end.values == {"length": 5.0, "starts_with_c": 1.0}


async def test_a_reward_that_raises_or_answers_garbage_is_its_own_error_and_none() -> None:
    def too_many(completions: list[str], **kwargs: Any) -> list[float]:
        return [1.0, 2.0, 3.0]

    def words(completions: list[str], **kwargs: Any) -> list[str]:
        return ["good"]

    rubric = Rubric([broken, too_many, words, Reward(length, weight=2.0)])
    with anyio.fail_after(10):
        (scores,) = await rubric.score([{"completions": "abc"}], [END])
    assert scores.values == {"broken": None, "too_many": None, "words": None, "length": 3.0}
    assert scores.errors["broken"] == "RuntimeError: the grader fell over"
    assert "answered 3 values for 1 completions" in scores.errors["too_many"]
    assert "'good', not a float or None" in scores.errors["words"]
    assert scores.total == pytest.approx(0.5 + 6.0)
    assert scores.info()["external_reward_errors"] == scores.errors


async def test_none_does_not_apply_async_functions_are_awaited_and_blocking_ones_leave_the_loop() -> None:
    seen: list[int] = []

    def blocking(completions: list[str], **kwargs: Any) -> list[float | None]:
        seen.append(threading.get_ident())
        return [None]

    async def later(completions: list[str], **kwargs: Any) -> list[float]:
        await anyio.lowlevel.checkpoint()
        return [0.75]

    with anyio.fail_after(10):
        (scores,) = await Rubric([blocking, later]).score([{"completions": "x"}], [END])
    assert scores.values == {"blocking": None, "later": 0.75}
    assert scores.total == pytest.approx(1.25)
    assert seen and seen[0] != threading.get_ident()


def test_trl_s_keyword_lists_reach_the_function() -> None:
    got: dict[str, Any] = {}

    def spy(prompts: list[str], completions: list[str], **kwargs: Any) -> list[float]:
        got.update(kwargs, prompts=prompts, completions=completions)
        return [0.0] * len(completions)

    rows = [{"prompts": "p1", "completions": "c1", "answer": "a"}, {"prompts": "p2", "completions": "c2"}]
    anyio.run(Rubric([spy]).score, rows, [END, END])
    assert got == {"prompts": ["p1", "p2"], "completions": ["c1", "c2"], "answer": ["a", None]}


def test_rewards_load_by_name_with_a_weight() -> None:
    reward = load_reward("tests.rewards.test_rubric:length=0.25")
    assert (reward.func, reward.weight, reward.label) == (length, 0.25, "length")
    rubric = load_rubric(["openenv_mcp.rewards.builtin:answer_match", "tests.rewards.test_rubric:length"])
    assert rubric is not None and [r.label for r in rubric.rewards] == ["answer_match", "length"]
    assert load_rubric([]) is None


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("no_colon", "a reward is MODULE:CALLABLE[=WEIGHT]"),
        ("no_such_module_xyz:f", "cannot import 'no_such_module_xyz'"),
        ("tests.rewards.test_rubric:nothing", "has no attribute 'nothing'"),
        ("tests.rewards.test_rubric:END", "'END' is not callable"),
        ("tests.rewards.test_rubric:length=heavy", "the weight 'heavy' is not a number"),
    ],
)
def test_a_bad_reward_name_is_a_clear_error(spec: str, says: str) -> None:
    with pytest.raises(RewardError, match=says.replace("[", r"\[").replace("]", r"\]")):
        load_reward(spec)


def test_two_rewards_of_one_name_are_refused() -> None:
    with pytest.raises(RewardError, match="reward names must be unique"):
        load_rubric(["tests.rewards.test_rubric:length", "tests.rewards.test_rubric:length"])


def test_exact_match_without_its_column_names_the_columns() -> None:
    with pytest.raises(RewardError, match=r"needs the column 'answer'; the rows have \['word'\]"):
        ExactMatch()(completions=["x"], word=["x"])
    with pytest.raises(RewardError, match="bad regular expression"):
        Regex("(")
