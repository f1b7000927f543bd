"""The trainer's reward hook: an `EnvClient` or `VectorEnvClient` whose steps a rubric scores.

`RewardedClient(client, rubric)` and `RewardedVectorClient(vector, rubric)` wrap the clients
(and open and close them when used as context managers). Each step's result gets, in its
`info`, ``external_rewards``, ``combined_reward`` and ``external_reward_errors`` where one
failed; the result's `reward` stays the environment's. Model text handed to `step` is the
completion the reward functions read. `reset(..., task=)` adds a taskset `Task`'s data (an
answer, tests) to the columns they see.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from openenv_mcp.client import ActionLike, EnvClient, RemoteStepResult, VectorEnvClient
from openenv_mcp.rewards.context import EpisodeContext
from openenv_mcp.rewards.rubric import Rubric
from openenv_mcp.tasks import Task

__all__ = ["RewardedClient", "RewardedVectorClient"]


def _data(task: Task | Mapping[str, Any] | None) -> Mapping[str, Any]:
    if isinstance(task, Task):
        return {**task.data, "task_id": task.id}
    return task or {}


def _scored(result: RemoteStepResult, info: dict[str, Any]) -> RemoteStepResult:
    return result.model_copy(update={"info": {**result.info, **info}})


class RewardedClient:
    """An `EnvClient` whose every step the rubric scores."""

    def __init__(self, client: EnvClient, rubric: Rubric) -> None:
        self.client, self.rubric = client, rubric
        self.context = EpisodeContext()

    async def __aenter__(self) -> Self:
        await self.client.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.client.__aexit__(exc_type, exc, tb)

    async def reset(
        self,
        seed: int | None = None,
        options: dict[str, Any] | None = None,
        *,
        task: Task | Mapping[str, Any] | None = None,
    ) -> RemoteStepResult:
        first = await self.client.reset(seed, options)
        self.context = EpisodeContext.start(first.observation, options, _data(task))
        return first

    async def step(self, action: ActionLike) -> RemoteStepResult:
        result = await self.client.step(action)
        self.context.add(action, result)
        (scores,) = await self.rubric.score([self.context.row(result)], [result])
        return _scored(result, scores.info())


class RewardedVectorClient:
    """A `VectorEnvClient` whose steps the rubric scores, one call per reward for the whole batch.

    Autoreset results (``info["autoreset"]``) start a new episode and are not scored; a
    same-step autoreset is scored on its ``final_observation``.
    """

    def __init__(self, vector: VectorEnvClient, rubric: Rubric) -> None:
        self.vector, self.rubric = vector, rubric
        self.contexts = [EpisodeContext() for _ in range(vector.num_envs)]
        self._data: list[Mapping[str, Any]] = [{} for _ in range(vector.num_envs)]
        self._options: list[dict[str, Any] | None] = [None] * vector.num_envs

    async def __aenter__(self) -> Self:
        await self.vector.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.vector.__aexit__(exc_type, exc, tb)

    async def reset_all(
        self,
        seeds: int | Sequence[int | None] | None = None,
        options: dict[str, Any] | None = None,
        *,
        tasks: Sequence[Task | Mapping[str, Any] | None] | None = None,
    ) -> list[RemoteStepResult]:
        firsts = await self.vector.reset_all(seeds, options)
        for index, first in enumerate(firsts):
            self._start(index, first, options, tasks[index] if tasks is not None else None)
        return firsts

    async def reset_at(
        self,
        index: int,
        seed: int | None = None,
        options: dict[str, Any] | None = None,
        *,
        task: Task | Mapping[str, Any] | None = None,
    ) -> RemoteStepResult:
        first = await self.vector.reset_at(index, seed, options)
        self._start(index, first, options, task)
        return first

    async def step_all(self, actions: Sequence[ActionLike]) -> list[RemoteStepResult]:
        results = await self.step_some(dict(enumerate(actions)))
        return [results[i] for i in range(len(actions))]

    async def step_some(self, actions: Mapping[int, ActionLike]) -> dict[int, RemoteStepResult]:
        results = await self.vector.step_some(actions)
        scored: list[int] = []
        for index, result in results.items():
            if result.info.get("autoreset"):
                self._start(index, result, self._options[index], self._data[index])
            elif not result.info.get("client_error"):
                final = result.info.get("final_observation", result.observation) if result.done else None
                ended = result if final is None else result.model_copy(update={"observation": final})
                self.contexts[index].add(actions[index], ended)
                scored.append(index)
        rows = [self.contexts[i].row(results[i]) for i in scored]
        for index, scores in zip(
            scored, await self.rubric.score(rows, [results[i] for i in scored]), strict=True
        ):
            results[index] = _scored(results[index], scores.info())
            if "final_observation" in results[index].info:
                self._start(index, results[index], self._options[index], self._data[index])
        return results

    def _start(self, index: int, first: RemoteStepResult, options: dict[str, Any] | None, task: Any) -> None:
        self._options[index], self._data[index] = options, _data(task)
        self.contexts[index] = EpisodeContext.start(first.observation, options, self._data[index])
