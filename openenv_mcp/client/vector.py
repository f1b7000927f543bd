"""`VectorEnvClient`: N remote episodes stepped at once, with bounded concurrency.

Autoreset follows Gymnasium's `AutoresetMode`:

An autoreset passes no seed (the episode's random stream goes on, as in Gymnasium) and the
options of the episode's last explicit reset.

- `NEXT_STEP` (default): when an episode ends at step t, its action at step t+1 is
  ignored and the episode is reset instead; that result carries the first observation,
  reward 0, `terminated = truncated = False` and `info["autoreset"] = True`.
- `SAME_STEP`: an episode that ends is reset within the same `step_all`; the result keeps
  the final reward and endings, its observation is the new episode's first one, and the
  last observation and info are in `info["final_observation"]` and `info["final_info"]`.
- `DISABLED`: nothing is reset; call `reset_all` (or `reset_at`) yourself. Stepping an
  ended episode answers an error observation.

Where the server has the `step_batch` control tool (and `batched` is not False), one
`step_all` sends one call per connection carrying every episode's action, instead of one
call per episode: see benchmarks/bench_vector.py for what that buys.

A failure of one episode (the server refused it, the connection broke, a timeout) is that
episode's result, never the batch's: `info["error"]` says what happened, `truncated` is
True, and (outside `DISABLED`) the episode is reset at its next step.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from enum import StrEnum
from types import TracebackType
from typing import Any, Self

import anyio
from mcp.client.client import ConnectMode

from openenv_mcp.client.batch import STEP_BATCH, step_batch
from openenv_mcp.client.connection import Auth, Connection
from openenv_mcp.client.episode import ActionLike, RemoteEpisode
from openenv_mcp.client.results import ClientError, RemoteStepResult
from openenv_mcp.client.targets import Target
from openenv_mcp.spec import CodeAction, ToolCallAction, ToolDefinition
from openenv_mcp.trajectories.recorder import Recorder, Recording
from openenv_mcp_adapters import ParseError

__all__ = ["AutoresetMode", "VectorEnvClient"]

logger = logging.getLogger(__name__)

Seeds = int | Sequence[int | None] | None


class AutoresetMode(StrEnum):
    """When an ended episode is reset (Gymnasium's modes of the same names)."""

    NEXT_STEP = "next_step"
    SAME_STEP = "same_step"
    DISABLED = "disabled"


class VectorEnvClient:
    """`num_envs` episodes of one environment, over `connections` MCP connections.

    At most `max_concurrency` calls are in flight at once (default: all of them).
    """

    def __init__(
        self,
        target: Target,
        num_envs: int,
        *,
        connections: int = 1,
        max_concurrency: int | None = None,
        autoreset_mode: AutoresetMode | str = AutoresetMode.NEXT_STEP,
        mode: ConnectMode = "auto",
        read_timeout: float = 60.0,
        parse_error_reward: float = 0.0,
        batched: bool | None = None,
        auth: Auth | None = None,
        recording: Recording | None = None,
    ) -> None:
        if num_envs < 1 or connections < 1:
            raise ValueError("num_envs and connections must be at least 1")
        self.num_envs = num_envs
        self.autoreset_mode = AutoresetMode(autoreset_mode)
        self._connections = [
            Connection(target, mode=mode, read_timeout=read_timeout, auth=auth)
            for _ in range(min(connections, num_envs))
        ]
        self._episodes = [
            RemoteEpisode(
                self._connections[i % len(self._connections)],
                parse_error_reward=parse_error_reward,
                recording=recording,
            )
            for i in range(num_envs)
        ]
        self._limiter = anyio.CapacityLimiter(max_concurrency or num_envs)
        self._ended = [False] * num_envs
        self._options: list[dict[str, Any] | None] = [None] * num_envs
        self._stack = AsyncExitStack()
        self._batched = batched

    @property
    def batched(self) -> bool:
        """Whether `step_all` sends one `step_batch` call per connection."""
        if self._batched is not None:
            return self._batched
        return all(STEP_BATCH in c.control for c in self._connections)

    async def __aenter__(self) -> Self:
        async with AsyncExitStack() as stack:
            for connection in self._connections:
                await stack.enter_async_context(connection)
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def recorder(self, index: int) -> Recorder | None:
        """The trajectory episode `index` is recording (with a `recording`, after its reset)."""
        return self._episodes[index].recorder

    def record_model(
        self,
        index: int,
        messages: Sequence[dict[str, Any]] | None = None,
        token_ids: Sequence[int] | None = None,
        logprobs: Sequence[float] | None = None,
    ) -> None:
        """Note what the model said before episode `index`'s next step."""
        recorder = self._episodes[index].recorder
        if recorder is not None:
            recorder.model(messages, token_ids, logprobs)

    def tools(self) -> list[ToolDefinition]:
        """The environment's inner tools (what a model may call)."""
        return list(self._connections[0].tools)

    async def reset_all(
        self, seeds: Seeds = None, options: dict[str, Any] | None = None
    ) -> list[RemoteStepResult]:
        """Reset every episode; an int seed gives episode i the seed `seed + i` (as Gymnasium does)."""
        seed_list = _seeds(seeds, self.num_envs)
        return await self._gather(
            [lambda i=i: self._reset(i, seed_list[i], options) for i in range(self.num_envs)]
        )

    async def reset_at(
        self, index: int, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> RemoteStepResult:
        """Reset one episode."""
        return await self._reset(index, seed, options)

    async def step_all(self, actions: Sequence[ActionLike]) -> list[RemoteStepResult]:
        """Step every episode with its action; results come back in the same order."""
        if len(actions) != self.num_envs:
            raise ValueError(f"step_all takes one action per episode: {self.num_envs}, got {len(actions)}")
        results = await self.step_some(dict(enumerate(actions)))
        return [results[i] for i in range(self.num_envs)]

    async def step_some(self, actions: Mapping[int, ActionLike]) -> dict[int, RemoteStepResult]:
        """Step only the episodes named by index (an agent loop whose other rollouts are done)."""
        results: list[RemoteStepResult | None] = [None] * self.num_envs
        resets: list[int] = []
        todo: list[tuple[int, ToolCallAction | CodeAction]] = []
        for index, action in actions.items():
            if self._ended[index] and self.autoreset_mode is AutoresetMode.NEXT_STEP:
                resets.append(index)
                continue
            episode = self._episodes[index]
            parsed = episode.parse(action)
            if isinstance(parsed, ParseError):
                results[index] = episode.parse_error(parsed)
            elif episode.episode_id is None:
                results[index] = self._failed(index, "step", ClientError("no episode yet: call reset first"))
            else:
                todo.append((index, parsed))
        step = self._step_batched if self.batched else self._step_each
        calls: list[Callable[[], Awaitable[Any]]] = [lambda: step(todo, results)]
        calls += [lambda: self._gather([lambda i=i: self._autoreset(i, results) for i in resets])]
        await self._gather(calls, limited=False)
        await self._gather([lambda i=i: self._after_step(i, results) for i, _ in todo])
        return {i: r for i in actions if (r := results[i]) is not None}

    async def _step_each(
        self, todo: list[tuple[int, ToolCallAction | CodeAction]], results: list[RemoteStepResult | None]
    ) -> None:
        async def one(index: int, action: ToolCallAction | CodeAction) -> None:
            try:
                results[index] = await self._episodes[index].step(action)
            except Exception as exc:  # one episode's failure is its result, not the batch's
                results[index] = self._failed(index, "step", exc)

        await self._gather([lambda i=i, a=a: one(i, a) for i, a in todo])

    async def _step_batched(
        self, todo: list[tuple[int, ToolCallAction | CodeAction]], results: list[RemoteStepResult | None]
    ) -> None:
        async def one_connection(connection: Connection) -> None:
            mine = [(i, a) for i, a in todo if self._episodes[i].connection is connection]
            if not mine:
                return
            began = time.monotonic()
            try:
                answers = await step_batch(connection, [(self._episodes[i].handle(), a) for i, a in mine])
            except Exception as exc:
                answers = [exc] * len(mine)
            seconds = time.monotonic() - began  # the batch's time: each of its steps took that long
            for (index, action), answer in zip(mine, answers, strict=True):
                ok = isinstance(answer, RemoteStepResult)
                results[index] = answer if ok else self._failed(index, "step", answer)
                if isinstance(answer, RemoteStepResult):
                    self._episodes[index].record(action, answer, seconds)

        await self._gather([lambda c=c: one_connection(c) for c in self._connections])

    async def _autoreset(self, index: int, results: list[RemoteStepResult | None]) -> None:
        first = await self._reset(index, None, self._options[index])
        first.info.setdefault("autoreset", True)
        results[index] = first

    async def _after_step(self, index: int, results: list[RemoteStepResult | None]) -> None:
        result = results[index]
        if result is None or result.info.get("client_error"):
            return
        self._ended[index] = result.done
        if result.done and self.autoreset_mode is AutoresetMode.SAME_STEP:
            results[index] = await self._reset_same_step(index, result)

    async def close(self) -> None:
        """Close every episode, then every connection."""
        try:
            with anyio.CancelScope(shield=True):
                await self._gather([lambda e=e: self._close(e) for e in self._episodes])
        finally:
            await self._stack.aclose()

    async def _gather(
        self, calls: Sequence[Callable[[], Awaitable[Any]]], *, limited: bool = True
    ) -> list[Any]:
        """Run calls concurrently; `limited` ones (calls to the server) share the concurrency bound."""
        results: list[Any] = [None] * len(calls)

        async def run(index: int) -> None:
            if not limited:
                results[index] = await calls[index]()
                return
            async with self._limiter:
                results[index] = await calls[index]()

        async with anyio.create_task_group() as tg:
            for index in range(len(calls)):
                tg.start_soon(run, index)
        return results

    async def _reset(self, index: int, seed: int | None, options: dict[str, Any] | None) -> RemoteStepResult:
        self._ended[index] = False
        self._options[index] = options
        try:
            return await self._episodes[index].reset(seed, options)
        except Exception as exc:  # one episode's failure is its result, not the batch's
            return self._failed(index, "reset", exc)

    async def _reset_same_step(self, index: int, final: RemoteStepResult) -> RemoteStepResult:
        first = await self._reset(index, None, self._options[index])
        info = {**first.info, "final_observation": final.observation, "final_info": final.info}
        return final.model_copy(
            update={"observation": first.observation, "structured": first.structured, "info": info}
        )

    async def _close(self, episode: RemoteEpisode) -> None:
        try:
            await episode.close()
        except Exception as exc:
            logger.warning("closing an episode failed: %s: %s", type(exc).__name__, exc)

    def _failed(self, index: int, what: str, exc: BaseException) -> RemoteStepResult:
        logger.warning("episode %d: %s failed: %s", index, what, exc)
        self._ended[index] = True
        message = f"{what} failed: {type(exc).__name__}: {exc}"
        return RemoteStepResult(
            observation=f"Error: {message}", truncated=True, info={"error": message, "client_error": True}
        )


def _seeds(seeds: Seeds, count: int) -> list[int | None]:
    if seeds is None:
        return [None] * count
    if isinstance(seeds, int):
        return [seeds + i for i in range(count)]
    if len(seeds) != count:
        raise ValueError(f"reset_all takes one seed per episode: {count}, got {len(seeds)}")
    return list(seeds)
