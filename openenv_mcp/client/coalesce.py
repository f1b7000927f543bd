"""Steps asked for at once on one connection, sent as one `step_batch` call.

Sixty-four `EnvClient`s stepping at once cost sixty-four MCP round trips, and the client's
own per-call path (the SDK's HTTP transport and result handling) is then slower than the
server. Where the server has `step_batch`, a connection's `Coalescer` gathers the steps its
episodes ask for in the same turn of the event loop (and those asked for while the batches
before them are under way) and sends them as one call, each caller getting its own step's
result or error. A lone step waits for nothing: it goes at the next turn of the loop, as
the episode's own call (a batch of one would only cost more).

A caller cancelled while its step is under way is told nothing more; the step itself may
still have run on the server, as a cancelled single call may have.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import anyio
import anyio.lowlevel
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from openenv_mcp.client.batch import step_batch
from openenv_mcp.client.results import ClientError, RemoteStepResult
from openenv_mcp.reply import Reply
from openenv_mcp.spec import CodeAction, ToolCallAction
from openenv_mcp.spec.wire import MAX_BATCH

if TYPE_CHECKING:
    from openenv_mcp.client.connection import Connection

__all__ = ["IN_FLIGHT", "Coalescer"]

IN_FLIGHT = 4
"""Batches one connection has under way at once; steps asked for meanwhile wait for the next."""


Alone = Callable[[], Awaitable[RemoteStepResult]]
"""The step sent as its episode's own call (a batch of one is no batch)."""


@dataclass
class _Pending:
    episode_id: str
    action: ToolCallAction | CodeAction
    alone: Alone
    reply: Reply[RemoteStepResult] = field(default_factory=Reply[RemoteStepResult])


class Coalescer:
    """Sends the steps of `connection`'s episodes as `step_batch` calls; run it in a task group."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        streams = anyio.create_memory_object_stream[_Pending](math.inf)
        self._send: MemoryObjectSendStream[_Pending] = streams[0]
        self._receive: MemoryObjectReceiveStream[_Pending] = streams[1]
        self._slots = anyio.Semaphore(IN_FLIGHT)
        self._closed = False

    async def step(
        self, episode_id: str, action: ToolCallAction | CodeAction, alone: Alone
    ) -> RemoteStepResult:
        """This episode's step, sent with whatever else is asked for now (by `alone` if nothing is).

        A refusal is raised, as the episode's own call would raise it.
        """
        if self._closed:
            raise ClientError("the connection is closed")
        pending = _Pending(episode_id, action, alone)
        self._send.send_nowait(pending)
        return await pending.reply.wait()

    async def run(self, tg: TaskGroup) -> None:
        """Take steps as they come and send them in batches, until cancelled (then fail the rest)."""
        try:
            async for first in self._receive:
                await anyio.lowlevel.checkpoint()  # the other steps of this turn join the batch
                await self._slots.acquire()
                batch = [first, *self._drain(MAX_BATCH - 1)]
                tg.start_soon(self._send_batch, batch)
        finally:
            self._closed = True
            gone = ClientError("the connection closed before this step was sent")
            for pending in self._drain(math.inf):
                pending.reply.give(gone)

    def _drain(self, most: float) -> list[_Pending]:
        taken: list[_Pending] = []
        while len(taken) < most:
            try:
                taken.append(self._receive.receive_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                break
        return taken

    async def _send_batch(self, batch: list[_Pending]) -> None:
        try:
            if len(batch) == 1:
                answers: list[RemoteStepResult | ClientError] = [await batch[0].alone()]
            else:
                answers = await step_batch(self._connection, [(p.episode_id, p.action) for p in batch])
        except Exception as exc:  # the call failed as a whole: each of its steps says so
            for pending in batch:
                pending.reply.give(exc)
            return
        except BaseException:  # cancelled with the connection
            for pending in batch:
                pending.reply.give(ClientError("the connection closed while this step was under way"))
            raise
        finally:
            self._slots.release()
        for pending, answer in zip(batch, answers, strict=True):
            pending.reply.give(answer)
