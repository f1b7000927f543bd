"""Per-client quotas: live episodes and steps per second, so that no client can take the whole server.

A client is its principal where a token was verified; without authentication its network
address, and one "local" client for stdio and in-memory connections. In training both limits
are off unless set (``serve --client-episodes N --client-steps-per-second R``): a trainer may
well want the whole capacity. In production a client may hold a quarter of the capacity unless
told otherwise, so that no one client can take it all. A refusal is an error of kind ``quota``
that says which limit, the client's current use, and when to retry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from openenv_mcp.auth.scopes import principal_of
from openenv_mcp.episodes import Caller, EpisodeRegistry
from openenv_mcp.errors import QuotaError
from openenv_mcp.server.access import access_token_of

__all__ = ["LOCAL", "ClientQuotas", "QuotaLimits", "client_of", "production_share"]

LOCAL = "local"
"""The client of a stdio or in-memory connection."""


@dataclass(frozen=True)
class QuotaLimits:
    """What one client may hold and do; None lifts a limit."""

    episodes: int | None = None
    steps_per_second: float | None = None
    burst: int | None = None
    """Steps a client may take at once before the rate applies (default: one second's worth)."""


def production_share(capacity: int) -> int:
    """The live episodes one client may hold in production by default: a quarter of the capacity.

    >>> production_share(256), production_share(3)
    (64, 1)
    """
    return max(1, capacity // 4)


def client_of(ctx: Any) -> str:
    """Who is calling: the verified token's principal, else the HTTP peer's address, else `LOCAL`."""
    token = access_token_of(ctx)
    if token is not None:
        return principal_of(token)
    request = getattr(ctx, "request", None)
    peer = getattr(request, "client", None)
    host = getattr(peer, "host", None)
    return host if isinstance(host, str) and host else LOCAL


def _soonest_expiry(registry: EpisodeRegistry, owned: set[str]) -> str:
    expiries = [e for e in map(registry.idle_expiry, owned) if e is not None]
    if not expiries:
        return ""
    return f", or retry in {min(expiries):.0f} s, when the idle TTL closes the least recently used one"


@dataclass
class _Bucket:
    tokens: float
    stamp: float = field(default_factory=time.monotonic)


class ClientQuotas:
    """The episodes each client holds, and a token bucket of steps per client."""

    def __init__(self, limits: QuotaLimits | None = None) -> None:
        self.limits = limits or QuotaLimits()
        self._episodes: dict[str, set[str]] = {}
        self._buckets: dict[str, _Bucket] = {}
        self.refused_total = 0

    def check_episode(self, client: str, registry: EpisodeRegistry, caller: Caller) -> None:
        """Before `client` opens an episode of `registry`'s.

        Raises:
            QuotaError: the client holds as many live episodes as it may.
        """
        limit = self.limits.episodes
        if limit is None:
            return
        owned = self._episodes.setdefault(client, set())
        owned.difference_update([episode_id for episode_id in owned if not registry.is_live(episode_id)])
        if len(owned) >= limit:
            self.refused_total += 1
            tool = "close" if caller.control else "close_episode"
            raise QuotaError(
                f"quota: client {client} may hold {limit} live episodes and holds {len(owned)}; "
                f"close one with {tool} and retry{_soonest_expiry(registry, owned)}"
            )

    def opened(self, client: str, episode_id: str) -> None:
        """Count `episode_id` as `client`'s."""
        if self.limits.episodes is not None:
            self._episodes.setdefault(client, set()).add(episode_id)

    def check_step(self, client: str) -> None:
        """Before one step of `client`; take a token or refuse.

        Raises:
            QuotaError: the client is over its steps per second.
        """
        rate = self.limits.steps_per_second
        if rate is None:
            return
        burst = float(self.limits.burst or max(1, round(rate)))
        now = time.monotonic()
        bucket = self._buckets.setdefault(client, _Bucket(burst, now))
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens < 1:
            self.refused_total += 1
            wait = (1 - bucket.tokens) / rate
            raise QuotaError(
                f"quota: client {client} may take {rate:g} steps a second (bursts of {burst:g}) "
                f"and is at it; retry in {wait:.3f} s"
            )
        bucket.tokens -= 1
