"""The host actor: environment instances for one or more episodes, living in a Ray worker process.

A host takes at most `slots` episodes over its life (its leases), then is retired: it takes no
new one, and whoever closes its last episode ends it. With one slot (the default) an actor is
one episode, as isolated as Ray makes it; with more, one process holds many mostly-waiting
episodes, and a crash loses all of them.

Every answer carries a `Mirror` of what the front door reads synchronously between calls
(the step count, the state's fields, the board), so a step is one round trip.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from openenv_mcp.environment import CodeActEnvironment, Environment, InnerTool
from openenv_mcp.errors import EpisodeClosedError
from openenv_mcp.sandbox.provider import Backend, SandboxProvider, backend_factory
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction

__all__ = ["Answer", "EpisodeHost", "HostFullError", "HostStats", "Mirror", "Placement"]


@dataclass(frozen=True)
class Mirror:
    """What the front door keeps of its episode between calls (all of it plain, picklable data)."""

    step_count: int = 0
    total_reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    seed: int | None = None
    max_steps: int | None = None
    extra: dict[str, Any] = field(default_factory=dict[str, Any])
    """`Environment.state_extra()`."""
    board: Any = None
    view: Any = None
    """`board_view()` and `render_view()`, where the class has them."""


@dataclass(frozen=True)
class Placement:
    """Where an episode's actor runs."""

    node_id: str
    pid: int


Answer = tuple[StepResult, Mirror]
"""A step's answer: its result, and where the episode stands after it."""


class HostFullError(Exception):
    """The host has taken all the episodes it will (or was retired): place the episode elsewhere.

    Internal between a placer and its hosts; it never reaches a caller of the library.
    """


@dataclass(frozen=True)
class HostStats:
    """What a host holds and has done."""

    live: int
    leases: int
    """Episodes it will still take."""
    steps: int
    calls: int
    """Calls that carried its steps: fewer than `steps` where batches were shared out by host."""


@dataclass
class _Slot:
    env: Environment
    owner: str | None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    """Front doors may call one episode at once; its steps still run one at a time, as locally."""
    last_used: float = field(default_factory=time.monotonic)
    """When any front door last reset or stepped it (this host's clock)."""


class EpisodeHost:
    """The body of the Ray actor that holds episodes (decorated with `ray.remote` at use)."""

    def __init__(self, env_class: type[Environment], slots: int, sandbox: Backend):
        self.env_class = env_class
        self.sandbox: Backend = sandbox
        self.leases = slots
        """Episodes this host will still take; at zero it is retired."""
        self.episodes: dict[str, _Slot] = {}
        self._running: dict[str, set[asyncio.Task[Any]]] = {}
        """The steps under way (or waiting for their episode's lock), by episode: what `cancel_step` stops."""
        self.steps = self.calls = 0
        """Steps taken here, and the calls that carried them (a batch's share is one call)."""
        self.closed: set[str] = set()
        """Episodes closed here: a reset of one is refused, never a new episode behind an old handle."""

    def _slot(self, episode_id: str) -> _Slot:
        slot = self.episodes.get(episode_id)
        if slot is None:
            raise EpisodeClosedError(f"episode {episode_id!r} was closed")
        return slot

    def _open(self, episode_id: str, owner: str | None) -> _Slot:
        """The episode's slot; its first reset makes it, on one of the host's leases."""
        slot = self.episodes.get(episode_id)
        if slot is not None:
            return slot
        if episode_id in self.closed:
            raise EpisodeClosedError(f"episode {episode_id!r} was closed")
        if self.leases <= 0:
            raise HostFullError(f"this host takes no more episodes ({len(self.episodes)} live)")
        self.leases -= 1
        env = _environment(self.env_class, self.sandbox)
        env.episode_id = episode_id
        slot = self.episodes[episode_id] = _Slot(env, owner)
        return slot

    async def reset(
        self, episode_id: str, owner: str | None, seed: int | None, options: dict[str, Any] | None
    ) -> tuple[ResetResult, Mirror]:
        """Reset the episode; the first reset opens it here (with `owner`, kept from then on)."""
        slot = self._open(episode_id, owner)
        async with slot.lock:
            self._slot(episode_id)
            slot.last_used = time.monotonic()
            first = await slot.env.reset(seed=seed, options=options)
            return first, mirror(slot.env)

    async def step(self, episode_id: str, action: ToolCallAction | CodeAction) -> tuple[StepResult, Mirror]:
        self.calls += 1
        return await self._step(episode_id, action)

    async def _step(self, episode_id: str, action: ToolCallAction | CodeAction) -> tuple[StepResult, Mirror]:
        self.steps += 1
        slot = self._slot(episode_id)
        task = asyncio.current_task()
        assert task is not None  # an actor's method runs as a task of its own
        running = self._running.setdefault(episode_id, set())
        running.add(task)
        try:
            async with slot.lock:
                self._slot(episode_id)
                slot.last_used = time.monotonic()
                result = await slot.env.step(action)
                slot.last_used = time.monotonic()
                return result, mirror(slot.env)
        finally:
            running.discard(task)
            if not running:
                self._running.pop(episode_id, None)

    async def idle(self, episode_ids: list[str]) -> list[float | None]:
        """Seconds since any front door last used each episode (0 while a step runs); None: not here."""
        now = time.monotonic()
        idle: list[float | None] = []
        for episode_id in episode_ids:
            slot = self.episodes.get(episode_id)
            busy = slot is not None and (slot.lock.locked() or episode_id in self._running)
            idle.append(None if slot is None else 0.0 if busy else now - slot.last_used)
        return idle

    async def cancel_step(self, episode_id: str) -> int:
        """Cancel the episode's steps under way here (their caller went away); how many."""
        tasks = list(self._running.get(episode_id, ()))
        for task in tasks:
            task.cancel()
        return len(tasks)

    async def step_many(
        self, steps: list[tuple[str, ToolCallAction | CodeAction]]
    ) -> list[tuple[StepResult, Mirror] | Exception]:
        """A batch's steps for episodes here, at once, in one call: each its answer, or its error."""

        async def one(
            episode_id: str, action: ToolCallAction | CodeAction
        ) -> tuple[StepResult, Mirror] | Exception:
            try:
                return await self._step(episode_id, action)
            except Exception as exc:
                return exc
            except asyncio.CancelledError:
                # This entry's caller went away (`cancel_step`): its neighbours go on. A cancel
                # of the whole call still ends it, at the `gather` below.
                return EpisodeClosedError(f"the step of episode {episode_id!r} was cancelled")

        self.calls += 1
        return list(await asyncio.gather(*(one(e, a) for e, a in steps)))

    async def describe(self, episode_id: str) -> tuple[str | None, Mirror]:
        """Whose episode this is, and where it stands (a front door adopting its handle asks)."""
        slot = self._slot(episode_id)
        return slot.owner, mirror(slot.env)

    async def where(self) -> Placement:
        from openenv_mcp.ray import _ray

        return Placement(_ray.current_node(), os.getpid())

    async def close(self, episode_id: str) -> bool:
        """Free what the episode holds (its sandbox); True: the host is now empty and retired.

        The caller then ends the actor: nothing else will ever be placed on it, and what its
        episodes shared (a started child server or remote) is already stopped.
        """
        slot = self.episodes.get(episode_id)
        if slot is not None:
            async with slot.lock:
                if self.episodes.pop(episode_id, None) is not None:
                    self.closed.add(episode_id)
                    await slot.env.close()
        return await self._finish()

    async def retire(self) -> bool:
        """Take no new episode (its placer stopped); True: it is empty, end it now."""
        self.leases = 0
        return await self._finish()

    async def list_tools(self) -> tuple[str, list[InnerTool]]:
        """What an instance here lists (`Environment.list_tools`): its about text and its tools.

        The tools travel pickled, their class with them (a proxy's own `ForwardedTool` kind
        structures its results its way on the front door too)."""
        probe = _environment(self.env_class, self.sandbox)
        try:
            listed = list(await probe.list_tools())
            probe.use_tools(listed)
            about = probe.about()
        finally:
            await probe.close()
        return about, listed

    async def _finish(self) -> bool:
        if not self.done():
            return False
        # Nothing more will run here: stop what the episodes shared, as a server that stops does.
        stopped = getattr(self.env_class, "server_stopped", None)
        if callable(stopped):
            await cast(Callable[[], Awaitable[None]], stopped)()
        return True

    async def stats(self) -> HostStats:
        return HostStats(live=len(self.episodes), leases=self.leases, steps=self.steps, calls=self.calls)

    def done(self) -> bool:
        return self.leases <= 0 and not self.episodes


def mirror(env: Environment) -> Mirror:
    cls = type(env)
    return Mirror(
        step_count=env.step_count,
        total_reward=env.total_reward,
        terminated=env.terminated,
        truncated=env.truncated,
        seed=env.seed,
        max_steps=env.max_steps,
        extra=env.state_extra(),
        board=env.board_view() if cls.has_board() else None,
        view=env.render_view() if cls.has_view() else None,
    )


def _environment(env_class: type[Environment], sandbox: Backend) -> Environment:
    """An instance as the server's factory makes it; a CodeAct one starts its sandboxes on this node."""
    if not issubclass(env_class, CodeActEnvironment):
        return env_class()
    specs, limits = env_class.code_tool_specs(), env_class.sandbox_limits
    # No warm pool: each episode's sandbox starts with the episode, on the host's node.
    provider = SandboxProvider(
        specs, limits, factory=backend_factory(sandbox), pool_size=0, warmup=env_class.sandbox_warmup
    )
    return env_class(provider)
