"""The episode registry: server-minted handles, a capacity limit and an idle reaper.

Every live episode is one `Environment` instance behind an unguessable id. Steps on one
episode run one at a time (a lock per episode); different episodes run concurrently.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable, Generator
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio

from openenv_mcp.environment import Environment, InnerTool
from openenv_mcp.errors import AtCapacityError, EpisodeClosedError, UnknownEpisodeError
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction
from openenv_mcp.trajectories.recorder import Recorder, Recording

__all__ = [
    "ANYONE",
    "START_OVER",
    "Caller",
    "Episode",
    "EpisodeProvider",
    "EpisodeRegistry",
    "RegistryLimits",
]

logger = logging.getLogger(__name__)
_FORGOTTEN_IDS = 10_000


@dataclass(frozen=True)
class RegistryLimits:
    """How many episodes may live at once, and how long an idle one is kept."""

    capacity: int = 256
    idle_ttl: float | None = 600.0
    """Seconds without a call before an episode is closed; None keeps episodes forever."""


START_OVER = "open a new one with open_episode, or call without an episode_id"
"""What a caller without the control tools (production, or only the tools scope) is told to do
when its episode is gone."""


@dataclass(frozen=True)
class Caller:
    """Who makes a call, as far as the registry cares: whose episodes it may use, and what it sees."""

    owner: str | None = None
    """The principal whose episodes these are; None where nobody authenticates (stdio, no auth)."""
    control: bool = True
    """Whether the caller sees the control tools (reset, close): errors name only tools it can see."""


ANYONE = Caller()
"""An anonymous caller with the control tools: the registry's default."""


@dataclass
class Episode:
    """A live episode: its handle, its environment and when it was last used."""

    id: str
    env: Environment
    owner: str | None = None
    """The principal that opened the episode; nobody else can use it (it is unknown to them)."""
    last_used: float = field(default_factory=time.monotonic)
    lock: anyio.Lock = field(default_factory=lambda: anyio.Lock(fast_acquire=True))
    recording: Recording | None = None
    """Where this episode's trajectories go (a new one each reset); None: not recorded."""
    recorder: Recorder | None = None

    async def reset(self, seed: int | None, options: dict[str, Any] | None) -> ResetResult:
        async with self.lock:
            self.last_used = time.monotonic()
            first = await self.env.reset(seed=seed, options=options)
            if self.recording is not None:
                self.close_recorder()
                env = self.env
                self.recorder = self.recording.begin(env.name, self.id, env.seed, options, first)
            return first

    def close_recorder(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    async def step(self, action: ToolCallAction | CodeAction) -> StepResult:
        try:
            self.lock.acquire_nowait()  # the common case, an idle episode: no trip through the loop
        except anyio.WouldBlock:
            await self.lock.acquire()
        try:
            began = self.last_used = time.monotonic()
            result = await self.env.step(action)
            self.last_used = time.monotonic()
            if self.recorder is not None:  # every path steps here: MCP calls, step, step_batch, code, /ws
                self.recorder.step(action, result, self.last_used - began)
            return result
        finally:
            self.lock.release()


current_batch: ContextVar[object | None] = ContextVar("current_batch", default=None)
"""The `step_batch` call a step belongs to (a token), in the tasks that step its entries; None:
a step of its own. A provider may send one batch's steps together, never unrelated ones: a
step of its own must not wait for another's."""


@contextmanager
def in_batch() -> Generator[object]:
    """Mark the steps taken inside (and in the tasks started inside) as one batch's."""
    token = current_batch.set(object())
    try:
        yield current_batch.get()
    finally:
        current_batch.reset(token)


class EpisodeProvider(Protocol):
    """Where episodes live when not in this process (Ray actors), in place of the registry's factory.

    It makes each episode's environment (a proxy of the remote one), mints handles that say
    where their episode lives, and finds an episode that another front door opened from its
    handle alone.
    """

    def new_id(self, owner: str | None) -> str:
        """A new unguessable handle for an episode of `owner`'s, naming where it will live."""
        ...

    def environment(self) -> Environment:
        """The environment of a new episode (it learns its handle before its first reset)."""
        ...

    def adopt(self, episode_id: str) -> tuple[Environment, str | None] | None:
        """The live episode behind a handle this registry never opened, with its owner; None: none."""
        ...

    async def release(self) -> None:
        """Free what the provider started for this registry's episodes, once they are all closed."""
        ...

    async def list_tools(self) -> tuple[str, list[InnerTool]]:
        """Where the class lists its tools at runtime: its about text and tools, listed where the
        episodes live (the server calls this instead of listing on an instance of its own)."""
        ...

    def running(self) -> AbstractAsyncContextManager[object]:
        """What the provider runs while the registry does (the Ray provider's step batcher)."""
        ...

    async def idle_seconds(self, envs: list[Environment]) -> list[float | None]:
        """Seconds since any front door last used each episode (None: unknown, or gone).

        Before the idle TTL closes an episode, the registry asks: another front door may be
        the one its client calls now."""
        ...


class EpisodeRegistry:
    """Owns every episode of one environment class on one server."""

    def __init__(self, factory: Callable[[], Environment], limits: RegistryLimits | None = None) -> None:
        self._factory = factory
        self.limits = limits or RegistryLimits()
        self._episodes: dict[str, Episode] = {}
        self._closed: OrderedDict[str, tuple[str, str | None]] = OrderedDict()
        """Why recently closed episodes closed, and whose they were."""
        self._reserved = 0
        self.provider: EpisodeProvider | None = None
        """Where episodes live when not in this process (`serve --ray`); None: here."""
        self.prepare: Callable[[Environment], object] | None = None
        """Applied to each environment a provider makes or adopts, as the factory's are prepared
        (the server's hooks: `serve --reward` scores Ray episodes too)."""
        self.recording: Recording | None = None
        """Record every episode's trajectories here (`serve --record DIR`); None: not recorded."""
        self.created_total = 0
        self.closed_total = 0
        self.expired_total = 0
        """Episodes closed by the idle TTL (counted in `closed_total` too)."""
        self.refused_total = 0
        """Creations refused at capacity."""

    @property
    def live(self) -> int:
        """How many episodes are open now."""
        return len(self._episodes)

    def ids(self) -> list[str]:
        return list(self._episodes)

    def is_live(self, episode_id: str) -> bool:
        """Whether `episode_id` names a live episode."""
        return episode_id in self._episodes

    def idle_expiry(self, episode_id: str, now: float | None = None) -> float | None:
        """Seconds until the idle TTL closes `episode_id` if nothing calls it; None: never, or not live."""
        episode, ttl = self._episodes.get(episode_id), self.limits.idle_ttl
        if episode is None or ttl is None:
            return None
        return max(0.0, episode.last_used + ttl - (time.monotonic() if now is None else now))

    async def create(
        self, seed: int | None = None, options: dict[str, Any] | None = None, caller: Caller = ANYONE
    ) -> tuple[Episode, ResetResult]:
        """Open a new episode of `caller`'s and reset it; at capacity, raise `AtCapacityError`."""
        if len(self._episodes) + self._reserved >= self.limits.capacity:
            self.refused_total += 1
            raise AtCapacityError(self._capacity_message(caller))
        self._reserved += 1
        try:
            episode = Episode(
                id=self.provider.new_id(caller.owner) if self.provider else secrets.token_urlsafe(18),
                env=self._provided() if self.provider else self._factory(),
                owner=caller.owner,
                recording=self.recording,
            )
            episode.env.episode_id = episode.id
            try:
                first = await episode.reset(seed, options)
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await episode.env.close()
                raise
        finally:
            self._reserved -= 1
        self._episodes[episode.id] = episode
        self.created_total += 1
        return episode, first

    def get(self, episode_id: str, caller: Caller = ANYONE) -> Episode:
        """The live episode with this id; a clear error when it is unknown, closed or expired.

        Another principal's episode is answered exactly as an id never issued: a handle
        someone learned is worth nothing to them.
        """
        episode = self._episodes.get(episode_id) or self._adopt(episode_id, caller)
        if episode is not None and episode.owner == caller.owner:
            return episode
        closed = self._closed.get(episode_id) if episode is None else None
        fresh = "call reset to start a new one" if caller.control else START_OVER
        if closed is not None and closed[1] == caller.owner:
            raise EpisodeClosedError(f"episode {episode_id!r} was {closed[0]}; {fresh}")
        raise UnknownEpisodeError(f"unknown episode {episode_id!r}: no live episode has this id; {fresh}")

    async def close(self, episode_id: str, why: str = "closed") -> bool:
        """Close an episode and free everything it holds; False when it was not live."""
        episode = self._episodes.pop(episode_id, None)
        if episode is None:
            return False
        self._remember_closed(episode_id, why, episode.owner)
        self.closed_total += 1
        episode.close_recorder()
        with anyio.CancelScope(shield=True):
            try:
                await episode.env.close()
            except Exception:
                logger.exception("closing episode %s failed", episode_id)
        return True

    async def close_all(self, why: str = "closed when the server stopped") -> None:
        for episode_id in list(self._episodes):
            await self.close(episode_id, why)
        if self.provider is not None:
            await self.provider.release()

    async def reap(self, now: float | None = None) -> int:
        """Close the episodes idle for longer than the TTL; return how many."""
        ttl = self.limits.idle_ttl
        if ttl is None:
            return 0
        now = time.monotonic() if now is None else now
        stale = [e.id for e in self._episodes.values() if now - e.last_used > ttl and not e.lock.locked()]
        if self.provider is not None and stale:
            stale = await self._idle_everywhere(stale, ttl, now)
        for episode_id in stale:
            await self.close(episode_id, f"closed after {ttl:g} s without a call (idle TTL)")
        self.expired_total += len(stale)
        return len(stale)

    async def _idle_everywhere(self, stale: list[str], ttl: float, now: float) -> list[str]:
        """Those of `stale` no front door used within the TTL; the others take the provider's time."""
        assert self.provider is not None
        episodes = [self._episodes[e] for e in stale if e in self._episodes]
        idle = await self.provider.idle_seconds([e.env for e in episodes])
        ahead = now - time.monotonic()  # a `now` given ahead of the clock (tests) applies there too
        still: list[str] = []
        for episode, seconds in zip(episodes, idle, strict=True):
            if seconds is None or seconds + ahead > ttl:
                still.append(episode.id)
            else:  # used through another front door meanwhile: idle here only from then
                episode.last_used = time.monotonic() - seconds
        return still

    @asynccontextmanager
    async def running(self) -> AsyncGenerator[EpisodeRegistry]:
        """Run the idle reaper (and what the provider runs) in the background while the context is open."""
        async with AsyncExitStack() as stack:
            if self.provider is not None:
                await stack.enter_async_context(self.provider.running())
            tg = await stack.enter_async_context(anyio.create_task_group())
            if self.limits.idle_ttl is not None:
                tg.start_soon(self._reap_forever)
            try:
                yield self
            finally:
                tg.cancel_scope.cancel()

    async def _reap_forever(self) -> None:
        ttl = self.limits.idle_ttl or 60.0
        interval = min(max(ttl / 4, 0.05), 30.0)
        while True:
            await anyio.sleep(interval)
            await self.reap()

    def _provided(self, env: Environment | None = None) -> Environment:
        """A provider's environment (a new one, or `env` it adopted), prepared like the factory's."""
        assert self.provider is not None
        env = env or self.provider.environment()
        if self.prepare is not None:
            self.prepare(env)
        return env

    def _adopt(self, episode_id: str, caller: Caller) -> Episode | None:
        """The caller's episode another front door opened, held here from now on (a provider's handle)."""
        found = self.provider.adopt(episode_id) if self.provider and episode_id not in self._closed else None
        if found is None or found[1] != caller.owner:
            return None
        episode = Episode(id=episode_id, env=self._provided(found[0]), owner=found[1])
        self._episodes[episode_id] = episode
        return episode

    def _remember_closed(self, episode_id: str, why: str, owner: str | None) -> None:
        self._closed[episode_id] = (why, owner)
        while len(self._closed) > _FORGOTTEN_IDS:
            self._closed.popitem(last=False)

    def _capacity_message(self, caller: Caller) -> str:
        ttl = self.limits.idle_ttl
        expiry = f"idle episodes close after {ttl:g} s" if ttl is not None else "idle episodes are kept"
        tool = "close" if caller.control else "close_episode"
        way = f"close one of yours with {tool}, or try again later"
        return f"at capacity: {self.live} of {self.limits.capacity} episodes are live; {way} ({expiry})"
