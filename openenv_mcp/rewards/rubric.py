"""A rubric: the environment's reward and reward functions from outside, as one weighted sum.

Each `Reward` is a function with TRL's signature (``func(prompts, completions, **kwargs) ->
list[float | None]``; async ones are awaited), a weight, a name and when it scores: at the
step that ends the episode (``on="end"``, the default: outcome rewards) or at every step.
As in TRL, None means "does not apply" and counts for nothing. A function that raises, or
answers the wrong number of values, is that step's error for that reward, never the step's.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, cast

import anyio.to_thread

from openenv_mcp.spec import StepResult

__all__ = ["EXTERNAL_REWARDS", "Reward", "RewardFunc", "Rubric", "Scores"]

RewardFunc = Callable[..., Any]
"""TRL's reward function: keyword lists in, one float (or None) per completion out."""

EXTERNAL_REWARDS = "external_rewards"
"""The `info` key of the rewards from outside, by name (the environment's `reward` is untouched)."""


@dataclass(frozen=True)
class Reward:
    """One reward function from outside, with its weight in the sum."""

    func: RewardFunc
    weight: float = 1.0
    name: str = ""
    on: Literal["end", "step"] = "end"

    @property
    def label(self) -> str:
        return self.name or str(getattr(self.func, "__name__", type(self.func).__name__))


@dataclass(frozen=True)
class Scores:
    """One step's rewards from outside, the errors of those that failed, and the combined total."""

    values: dict[str, float | None] = field(default_factory=dict[str, float | None])
    errors: dict[str, str] = field(default_factory=dict[str, str])
    total: float = 0.0

    def info(self) -> dict[str, Any]:
        """What the step's `info` gets: ``external_rewards``, ``combined_reward`` and any errors."""
        info: dict[str, Any] = {EXTERNAL_REWARDS: dict(self.values), "combined_reward": self.total}
        if self.errors:
            info["external_reward_errors"] = dict(self.errors)
        return info


class Rubric:
    """``env_weight * reward + sum(weight * value)`` over the rewards that scored a step.

    >>> rubric = Rubric([Reward(lambda completions, **kw: [1.0], weight=0.5, name="one")])
    >>> import anyio
    >>> anyio.run(rubric.score, [{"completions": "x"}], [StepResult(reward=1.0, terminated=True)])
    [Scores(values={'one': 1.0}, errors={}, total=1.5)]
    """

    def __init__(self, rewards: Sequence[Reward | RewardFunc], *, env_weight: float = 1.0) -> None:
        self.rewards = [r if isinstance(r, Reward) else Reward(r) for r in rewards]
        self.env_weight = env_weight
        labels = [r.label for r in self.rewards]
        if len(set(labels)) != len(labels):
            raise ValueError(f"reward names must be unique; got {labels}: name them with Reward(name=...)")

    async def score(self, rows: Sequence[Mapping[str, Any]], results: Sequence[StepResult]) -> list[Scores]:
        """Score a batch of steps (`rows` from `EpisodeContext.row`), each reward called once for all."""
        values: list[dict[str, float | None]] = [{} for _ in rows]
        errors: list[dict[str, str]] = [{} for _ in rows]
        for reward in self.rewards:
            chosen = [i for i, r in enumerate(results) if reward.on == "step" or r.terminated or r.truncated]
            if chosen:
                await self._one(reward, [rows[i] for i in chosen], chosen, values, errors)
        return [
            Scores(values[i], errors[i], self._total(results[i].reward, values[i])) for i in range(len(rows))
        ]

    async def _one(
        self,
        reward: Reward,
        rows: list[Mapping[str, Any]],
        indices: list[int],
        values: list[dict[str, float | None]],
        errors: list[dict[str, str]],
    ) -> None:
        name = reward.label
        try:
            answered = _values(await call(reward.func, columns(rows)), len(rows), name)
        except Exception as exc:  # a reward's failure is its score's error, never the step's
            for i in indices:
                values[i][name] = None
                errors[i][name] = f"{type(exc).__name__}: {exc}"
            return
        for i, value in zip(indices, answered, strict=True):
            values[i][name] = value

    def _total(self, env_reward: float, values: Mapping[str, float | None]) -> float:
        weights = {r.label: r.weight for r in self.rewards}
        outside = sum(weights[name] * value for name, value in values.items() if value is not None)
        return self.env_weight * env_reward + outside


def columns(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Rows as TRL's keyword lists; a column some rows lack is None in those."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    return {name: [row.get(name) for row in rows] for name in names}


async def call(func: RewardFunc, kwargs: dict[str, list[Any]]) -> Any:
    """Call a reward function: awaited when async, in a worker thread unless it says it is quick."""
    if inspect.iscoroutinefunction(func) or inspect.iscoroutinefunction(getattr(func, "__call__", None)):  # noqa: B004
        return await cast(Callable[..., Awaitable[Any]], func)(**kwargs)
    if getattr(func, "blocking", True):
        answer = await anyio.to_thread.run_sync(partial(func, **kwargs))
    else:
        answer = func(**kwargs)
    return await answer if inspect.isawaitable(answer) else answer


def _values(answer: Any, count: int, name: str) -> list[float | None]:
    if not isinstance(answer, Sequence) or isinstance(answer, str | bytes):
        raise TypeError(f"reward {name!r} answered {type(answer).__name__}, not a list of floats")
    items = cast(Sequence[Any], answer)
    if len(items) != count:
        raise ValueError(f"reward {name!r} answered {len(items)} values for {count} completions")
    out: list[float | None] = []
    for item in items:
        if item is None:
            out.append(None)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            out.append(None if math.isnan(item) else float(item))
        else:
            raise TypeError(f"reward {name!r} answered {item!r}, not a float or None")
    return out
