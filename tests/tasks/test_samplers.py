"""Samplers: reproducible draws, groups of one task and seed, a curriculum that follows the signal."""

from __future__ import annotations

from collections import Counter

import pytest

from openenv_mcp.errors import TaskError, UnknownTaskError
from openenv_mcp.tasks import Curriculum, Sequential, Task, Taskset, Uniform

TASKS = Taskset([Task("easy"), Task("hard"), Task("middle"), Task("fixed", seed=11)])


def test_sequential_cycles_in_order_and_a_row_seed_is_kept() -> None:
    draws = Sequential(TASKS, seed=0).take(6)
    assert [d.task.id for d in draws] == ["easy", "hard", "middle", "fixed", "easy", "hard"]
    assert draws[3].seed == 11 and draws[0].seed != draws[4].seed
    assert draws[3].reset_kwargs() == {"seed": 11, "options": {}}


@pytest.mark.parametrize("kind", [Sequential, Uniform, Curriculum])
def test_the_same_seed_gives_the_same_draws(kind: type[Sequential | Uniform | Curriculum]) -> None:
    first, again, other = kind(TASKS, seed=5), kind(TASKS, seed=5), kind(TASKS, seed=6)
    assert first.take(20) == again.take(20) != other.take(20)


def test_a_group_is_one_task_on_one_seed() -> None:
    sampler = Uniform(TASKS, seed=1)
    group = sampler.group(8)
    assert len(group) == 8 and len({(d.task.id, d.seed) for d in group}) == 1
    assert sampler.group(8)[0] != group[0]
    with pytest.raises(TaskError):
        sampler.group(0)


def test_uniform_reaches_every_task() -> None:
    assert set(Counter(d.task.id for d in Uniform(TASKS, seed=2).take(200))) == set(TASKS.ids)


def test_a_curriculum_draws_away_from_groups_without_signal() -> None:
    curriculum = Curriculum(TASKS, seed=3, window=4, floor=0.05)
    for _ in range(4):
        curriculum.update("easy", [1.0, 1.0, 1.0, 1.0])  # always solved: nothing to learn
        curriculum.update("hard", [0.0, 0.0, 0.0, 0.0])  # never solved: nothing to learn either
        curriculum.update("middle", [1.0, 0.0, 1.0, 0.0])
    assert curriculum.weight("easy") == curriculum.weight("hard") == 0.05
    assert curriculum.weight("middle") == 1.0 and curriculum.weight("fixed") == 1.0, "untried: explored"
    drawn = Counter(d.task.id for d in curriculum.take(400))
    assert drawn["middle"] > 5 * drawn["easy"] and drawn["middle"] > 5 * drawn["hard"] and drawn["easy"] > 0
    for _ in range(4):
        curriculum.update("easy", [1.0, 0.0])  # it became informative again: its weight comes back
    assert curriculum.weight("easy") == 1.0
    with pytest.raises(UnknownTaskError):
        curriculum.update("nope", [1.0])


def test_an_empty_taskset_cannot_be_sampled() -> None:
    with pytest.raises(TaskError, match="no tasks"):
        Uniform(Taskset([]))
