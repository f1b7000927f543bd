"""Per-client quotas: live episodes and steps per second, so that no client can take the whole server.

A client is its principal; without authentication (today) its network address, and one
"local" client for stdio and in-memory connections. Both limits are off unless set
(``serve --client-episodes N --client-steps-per-second R``): a trainer on one address may
well want the whole capacity. A refusal is an error of kind ``quota`` that says which limit,
the client's current use, and when to retry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openenv_mcp.errors import QuotaError

__all__ = ["LOCAL", "ClientQuotas", "QuotaLimits", "client_of"]

LOCAL = "local"
"""The client of a stdio or in-memory connection."""


@dataclass(frozen=True)
class QuotaLimits:
    """What one client may hold and do; None lifts a limit."""

    episodes: int | None = None
    steps_per_second: float | None = None
    burst: int | None = None
    """Steps a client may take at once before the rate applies (default: one second's worth)."""


def client_of(ctx: Any) -> str:
    """Who is calling: the HTTP peer's address, or `LOCAL`."""
    request = getattr(ctx, "request", None)
    peer = getattr(request, "client", None)
    host = getattr(peer, "host", None)
    return host if isinstance(host, str) and host else LOCAL


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

    def check_episode(self, client: str, is_live: Callable[[str], bool]) -> None:
        """Before `client` opens an episode; `is_live` tells a live id from a gone one.

        Raises:
            QuotaError: the client holds as many live episodes as it may.
        """
        limit = self.limits.episodes
        if limit is None:
            return
        owned = self._episodes.setdefault(client, set())
        owned.difference_update([episode_id for episode_id in owned if not is_live(episode_id)])
        if len(owned) >= limit:
            self.refused_total += 1
            raise QuotaError(
                f"quota: client {client} may hold {limit} live episodes and holds {len(owned)}; "
                "close one (or let it end) and retry"
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
