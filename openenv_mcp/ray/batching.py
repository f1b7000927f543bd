"""A front door's `step_batch` entries for one host's episodes, sent as one call to that host.

A batch of many episodes on a few host actors would be one actor call per entry, each about
a millisecond of Ray's own work on the front door. The batcher sends each host its share of
a batch (the steps taken under one `in_batch()`, as the server's `step_batch` marks them) as
one `EpisodeHost.step_many` call; a share of one goes as the episode's own `step`. Each
caller gets its own answer or its own error; a host's failure (lost, ended) fails each of
its entries. A caller cancelled while its step is under way cancels that step on its host
(`EpisodeHost.cancel_step`), as a lone call's cancellation would.

Steps of their own (an inner tool call, `step`, OpenEnv's `/ws`) are never held for
another's: a host answers a share all at once, so a share waits for its slowest step, which
a batch's caller waits for anyway and a lone caller must not. They go straight to their host.

It runs inside the server's lifespan (`RayEpisodes.running()`); outside it, steps go alone.
"""

from __future__ import annotations

import math
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from openenv_mcp.episodes import current_batch
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.ray import _ray
from openenv_mcp.ray.actor import Answer
from openenv_mcp.ray.remote import RemoteEpisode, for_episode, host_of
from openenv_mcp.reply import Reply
from openenv_mcp.spec import CodeAction, ToolCallAction

__all__ = ["HostBatcher"]


@dataclass
class _Pending:
    remote: RemoteEpisode
    action: ToolCallAction | CodeAction
    batch: object
    reply: Reply[Answer] = field(default_factory=Reply[Answer])


class HostBatcher:
    """Sends the steps asked for together as one call per host."""

    def __init__(self) -> None:
        streams = anyio.create_memory_object_stream[_Pending](math.inf)
        self._send: MemoryObjectSendStream[_Pending] = streams[0]
        self._receive: MemoryObjectReceiveStream[_Pending] = streams[1]
        self._running = False
        self.calls = self.steps = 0
        """Calls sent and the steps they carried (a measure of how much was shared)."""

    @asynccontextmanager
    async def running(self) -> AsyncGenerator[HostBatcher]:
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._run, tg)
            self._running = True
            try:
                yield self
            finally:
                self._running = False
                tg.cancel_scope.cancel()

    async def step(self, remote: RemoteEpisode, action: ToolCallAction | CodeAction) -> Answer:
        """The episode's step, sent with the others asked for now (alone if it runs alone)."""
        batch = current_batch.get()
        if not self._running or batch is None:
            return await remote.step(action)
        pending = _Pending(remote, action, batch)
        self._send.send_nowait(pending)
        try:
            return await pending.reply.wait()
        except anyio.get_cancelled_exc_class():
            if not pending.reply.given:  # under way: stop it there, without waiting for the host
                pending.reply.give(OpenEnvError("cancelled"))
                _ray.submit(remote.actor, "cancel_step", remote.episode_id)
            raise

    async def _run(self, tg: TaskGroup) -> None:
        try:
            async for first in self._receive:
                await anyio.lowlevel.checkpoint()  # the other steps of this turn join
                for share in _by_host([first, *self._drain()]).values():
                    tg.start_soon(self._send_share, share)
        finally:
            gone = OpenEnvError("the server stopped before this step was sent")
            for pending in self._drain():
                pending.reply.give(gone)

    def _drain(self) -> list[_Pending]:
        taken: list[_Pending] = []
        while True:
            try:
                taken.append(self._receive.receive_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                return taken

    async def _send_share(self, share: list[_Pending]) -> None:
        live = [p for p in share if not p.reply.given]  # a caller cancelled meanwhile is dropped
        if not live:
            return
        self.calls, self.steps = self.calls + 1, self.steps + len(live)
        try:
            if len(live) == 1:
                answers: list[Any] = [await live[0].remote.step(live[0].action)]
            else:
                steps = [(p.remote.episode_id, p.action) for p in live]
                answers = await live[0].remote.call("step_many", steps)
        except OpenEnvError as exc:  # the host's call failed as a whole: each entry says so
            first = live[0].remote.episode_id
            for pending in live:
                pending.reply.give(for_episode(exc, first, pending.remote.episode_id))
            return
        except Exception as exc:
            for pending in live:
                pending.reply.give(exc)
            return
        except BaseException:  # the server stops: nobody waits on for an answer
            for pending in live:
                pending.reply.give(OpenEnvError("the server stopped while this step was under way"))
            raise
        for pending, answer in zip(live, answers, strict=True):
            pending.reply.give(answer)


def _by_host(taken: list[_Pending]) -> dict[tuple[int, str], list[_Pending]]:
    """Shares: the steps of one batch for one host."""
    shares: dict[tuple[int, str], list[_Pending]] = {}
    for pending in taken:
        shares.setdefault((id(pending.batch), host_of(pending.remote.episode_id)), []).append(pending)
    return shares
