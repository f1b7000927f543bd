"""A task (the `reset` arguments that start one episode) and a taskset (tasks with unique ids).

>>> ts = Taskset([Task("a", {"task": "a"}, split="train"), Task("b", {"task": "b"}, split="eval")])
>>> len(ts), ts.ids, ts.split("eval").ids, ts["a"].reset_kwargs(seed=3)
(2, ['a', 'b'], ['b'], {'seed': 3, 'options': {'task': 'a'}})
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openenv_mcp.errors import TaskError, UnknownTaskError

if TYPE_CHECKING:
    from openenv_mcp.environment import Environment

__all__ = ["Task", "Taskset"]


@dataclass(frozen=True)
class Task:
    """One task: its id, the `reset` options that start it, and what else its row held."""

    id: str
    options: Mapping[str, Any] = field(default_factory=dict[str, Any])
    """What `reset(options=...)` takes to start this task (``{"task": ...}`` for most)."""
    seed: int | None = None
    """The row's seed, if it fixes one; a sampler's seed is used otherwise."""
    split: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict[str, Any])
    """The row's other columns (an answer, metadata): for rewards from outside, never sent."""

    def reset_kwargs(self, seed: int | None = None) -> dict[str, Any]:
        """Keyword arguments for `reset`: this task's options, and its seed unless `seed` is given."""
        return {"seed": self.seed if seed is None else seed, "options": dict(self.options)}

    def row(self) -> dict[str, Any]:
        """The task as a flat dataset row (options as JSON text, so every row has one column type)."""
        extra = {k: v for k, v in self.data.items() if k not in ("id", "options", "seed", "split")}
        return {
            "id": self.id,
            "options": json.dumps(dict(self.options)),
            "seed": self.seed,
            "split": self.split,
            **extra,
        }


class Taskset:
    """Tasks with unique ids, in a fixed order, optionally for one environment class."""

    def __init__(
        self, tasks: Iterable[Task], *, env: type[Environment] | None = None, source: str = ""
    ) -> None:
        self.tasks: tuple[Task, ...] = tuple(tasks)
        self.env = env
        self.source = source
        self._by_id: dict[str, Task] = {}
        for index, task in enumerate(self.tasks):
            if task.id in self._by_id:
                raise TaskError(f"{source or 'taskset'}: row {index} repeats the task id {task.id!r}")
            self._by_id[task.id] = task

    def __len__(self) -> int:
        return len(self.tasks)

    def __iter__(self) -> Iterator[Task]:
        return iter(self.tasks)

    def __getitem__(self, key: int | str) -> Task:
        """A task by position or by id; an unknown id is an `UnknownTaskError`."""
        return self.tasks[key] if isinstance(key, int) else self.get(key)

    def __repr__(self) -> str:
        env = f", env={self.env.name!r}" if self.env is not None else ""
        return f"Taskset({len(self)} tasks from {self.source or 'memory'!r}{env})"

    @property
    def ids(self) -> list[str]:
        return [task.id for task in self.tasks]

    @property
    def splits(self) -> list[str]:
        """The split names the tasks carry, in first-seen order."""
        return list(dict.fromkeys(task.split for task in self.tasks if task.split is not None))

    def get(self, task_id: str) -> Task:
        task = self._by_id.get(task_id)
        if task is None:
            shown = ", ".join(self.ids[:20]) + (", ..." if len(self) > 20 else "")
            raise UnknownTaskError(
                f"unknown task {task_id!r} in {self.source or 'the taskset'}; its tasks: {shown}"
            )
        return task

    def split(self, name: str) -> Taskset:
        """The tasks of one split; a split no task carries is an `UnknownTaskError`."""
        chosen = [task for task in self.tasks if task.split == name]
        if not chosen:
            known = ", ".join(self.splits) or "none (call with_splits to make some)"
            raise UnknownTaskError(
                f"no split {name!r} in {self.source or 'the taskset'}; its splits: {known}"
            )
        return self._like(chosen, f"{self.source}[{name}]")

    def take(self, count: int) -> Taskset:
        """The first `count` tasks (a task count for a quick run)."""
        if count < 0:
            raise TaskError(f"a task count must be 0 or more; got {count}")
        return self._like(self.tasks[:count], self.source)

    def with_splits(self, eval_fraction: float, *, seed: int = 0) -> Taskset:
        """Tasks without a split put in ``train`` or ``eval`` by a seeded draw (the same every time)."""
        if not 0.0 <= eval_fraction <= 1.0:
            raise TaskError(f"eval_fraction must be from 0 to 1; got {eval_fraction}")
        free = sorted(task.id for task in self.tasks if task.split is None)
        random.Random(seed).shuffle(free)
        evals = set(free[: round(len(free) * eval_fraction)])
        return self._like(
            (
                _with_split(t, "eval" if t.id in evals else "train") if t.split is None else t
                for t in self.tasks
            ),
            self.source,
        )

    def rows(self) -> list[dict[str, Any]]:
        """Every task as a dataset row (`Task.row`): what `to_dataset` holds."""
        return [task.row() for task in self.tasks]

    def to_dataset(self) -> Any:
        """The taskset as a `datasets.Dataset` (needs the ``data`` extra); `load` reads it back."""
        from openenv_mcp.tasks.library import datasets

        return datasets(TaskError, "a taskset as a dataset").Dataset.from_list(self.rows())

    def _like(self, tasks: Iterable[Task], source: str) -> Taskset:
        return Taskset(tasks, env=self.env, source=source)


def _with_split(task: Task, split: str) -> Task:
    return Task(task.id, task.options, task.seed, split, task.data)
