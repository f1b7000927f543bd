"""Samplers: which task, with which seed, a trainer resets next.

Every sampler is seeded: the same taskset and seed give the same draws. `group(G)` gives G
draws of one task and seed (a GRPO group). A `Curriculum` hears each group's rewards through
`update` and draws towards tasks whose groups still disagree: a group that all passes or all
fails has no advantage to learn from.

>>> from openenv_mcp.tasks.taskset import Task, Taskset
>>> ts = Taskset([Task("a"), Task("b", seed=9)])
>>> [(d.task.id, d.seed) for d in Sequential(ts, seed=0).take(3)][1:]
[('b', 9), ('a', 173879092)]
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openenv_mcp.errors import TaskError
from openenv_mcp.tasks.taskset import Task, Taskset

__all__ = ["Curriculum", "Draw", "Sampler", "Sequential", "Uniform"]

_SEEDS = 2**31
"""Drawn seeds stay below this: every dataset column type and JavaScript client holds them."""


@dataclass(frozen=True)
class Draw:
    """One draw: a task and the seed its episode is reset with."""

    task: Task
    seed: int

    def reset_kwargs(self) -> dict[str, Any]:
        """``reset(**draw.reset_kwargs())`` starts this task on this seed."""
        return self.task.reset_kwargs(seed=self.seed)


class Sampler:
    """Base of the samplers: seeded, over a non-empty taskset; subclasses choose the next task."""

    def __init__(self, taskset: Taskset, *, seed: int = 0) -> None:
        if not len(taskset):
            raise TaskError(f"cannot sample from {taskset!r}: it has no tasks")
        self.taskset = taskset
        self.rng = random.Random(seed)

    def choose(self) -> Task:
        raise NotImplementedError

    def next(self) -> Draw:
        """The next task, with the row's seed or one drawn from the sampler's own stream."""
        task = self.choose()
        drawn = self.rng.randrange(_SEEDS)  # drawn always, so a row's fixed seed shifts no other draw
        return Draw(task, task.seed if task.seed is not None else drawn)

    def take(self, count: int) -> list[Draw]:
        return [self.next() for _ in range(count)]

    def group(self, size: int) -> list[Draw]:
        """`size` draws of one task and one seed: the episodes of a GRPO group."""
        if size < 1:
            raise TaskError(f"a group needs at least 1 episode; got {size}")
        return [self.next()] * size

    def update(self, task_id: str, rewards: Sequence[float]) -> None:
        """Hear how a group of `task_id` went (a curriculum uses it; the others need not)."""


class Sequential(Sampler):
    """The tasks in order, over and over."""

    def __init__(self, taskset: Taskset, *, seed: int = 0) -> None:
        super().__init__(taskset, seed=seed)
        self._index = 0

    def choose(self) -> Task:
        task = self.taskset.tasks[self._index % len(self.taskset)]
        self._index += 1
        return task


class Uniform(Sampler):
    """Any task, equally likely, from the seeded stream."""

    def choose(self) -> Task:
        return self.rng.choice(self.taskset.tasks)


class Curriculum(Sampler):
    """Tasks weighted by how often their recent groups carried signal (rewards that differ).

    A task never tried weighs 1; otherwise `floor` plus the rest in proportion to its informative
    groups among the last `window`. Solved-every-time and failed-every-time tasks fall to `floor`.
    """

    def __init__(self, taskset: Taskset, *, seed: int = 0, window: int = 8, floor: float = 0.05) -> None:
        super().__init__(taskset, seed=seed)
        if window < 1 or not 0.0 < floor <= 1.0:
            raise TaskError(f"a curriculum needs window >= 1 and 0 < floor <= 1; got {window}, {floor}")
        self.floor = floor
        self._window = window
        self._history: dict[str, deque[bool]] = {}

    def weight(self, task_id: str) -> float:
        history = self._history.get(task_id)
        if not history:
            return 1.0
        return self.floor + (1.0 - self.floor) * sum(history) / len(history)

    def choose(self) -> Task:
        tasks = self.taskset.tasks
        return self.rng.choices(tasks, weights=[self.weight(task.id) for task in tasks])[0]

    def update(self, task_id: str, rewards: Sequence[float]) -> None:
        self.taskset.get(task_id)  # an unknown id is an error here, not a silent new entry
        informative = len(rewards) > 1 and max(rewards) != min(rewards)
        self._history.setdefault(task_id, deque(maxlen=self._window)).append(informative)
