"""Prometheus metrics of the servers of one app, as ``GET /metrics`` gives them.

The step path counts steps and refusals and times each step (a counter and a histogram, a
microsecond a step); everything else (episodes live, opened, closed and expired, capacity
refusals, the sandbox pool's hits, cold starts and failures) is read from the episode
registries and sandbox providers when Prometheus scrapes, so it costs nothing in between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from openenv_mcp.server.env_server import EnvServer

__all__ = ["CONTENT_TYPE", "SERIES", "Metrics"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

SERIES = {
    "openenv_steps_total": "steps per environment, tool and outcome (ok, or the error's kind)",
    "openenv_step_seconds": "step latency per environment (histogram)",
    "openenv_call_errors_total": "refused calls that were not steps, per environment and error kind",
    "openenv_episodes_live": "episodes open now, per environment",
    "openenv_episodes_opened_total": "episodes opened",
    "openenv_episodes_closed_total": "episodes closed (by close, their connection, the TTL or shutdown)",
    "openenv_episodes_expired_total": "episodes closed by the idle TTL",
    "openenv_capacity_refusals_total": "episodes refused at capacity",
    "openenv_sandbox_warm_hits_total": "sandboxes handed out warm from the pool",
    "openenv_sandbox_cold_starts_total": "sandboxes started for the asker",
    "openenv_sandbox_failures_total": "sandboxes that failed to start when asked for",
    "openenv_sandbox_pool_idle": "started sandboxes waiting in the pool",
    "openenv_auth_refusals_total": "requests the bearer check refused, per kind and reason",
    "openenv_sessions_open": "handshake-era HTTP sessions open now, per environment",
}
"""Every series, with what it counts (docs/production.md lists them for dashboards)."""


class _Registries(Collector):
    """Reads each server's registry and sandbox provider at scrape time."""

    def __init__(self, servers: Callable[[], Sequence[EnvServer]]) -> None:
        self._servers = servers

    def collect(self) -> Iterable[Metric]:
        servers = self._servers()
        yield _gauge("openenv_episodes_live", [(s.name, s.registry.live) for s in servers])
        yield _counter("openenv_episodes_opened", [(s.name, s.registry.created_total) for s in servers])
        yield _counter("openenv_episodes_closed", [(s.name, s.registry.closed_total) for s in servers])
        yield _counter("openenv_episodes_expired", [(s.name, s.registry.expired_total) for s in servers])
        yield _counter("openenv_capacity_refusals", [(s.name, s.registry.refused_total) for s in servers])
        pools = [(s.name, s.sandbox_provider) for s in servers if s.sandbox_provider is not None]
        yield _counter("openenv_sandbox_warm_hits", [(n, p.warm_hits) for n, p in pools])
        yield _counter("openenv_sandbox_cold_starts", [(n, p.cold_starts) for n, p in pools])
        yield _counter("openenv_sandbox_failures", [(n, p.failures) for n, p in pools])
        yield _gauge("openenv_sandbox_pool_idle", [(n, p.warm) for n, p in pools])
        yield _gauge("openenv_sessions_open", [(s.name, _sessions(s)) for s in servers])


def _sessions(server: EnvServer) -> int:
    """Open sessions of the server's HTTP session manager (0 before one serves HTTP)."""
    try:
        manager = server.server.session_manager
    except RuntimeError:
        return 0
    # The SDK keeps its sessions in a private table and offers no count.
    return len(manager._server_instances)  # pyright: ignore[reportPrivateUsage]


def _help(name: str) -> str:
    return SERIES.get(name, SERIES.get(f"{name}_total", name))


def _gauge(name: str, values: list[tuple[str, int]]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, _help(name), labels=["env"])
    for env, value in values:
        family.add_metric([env], value)
    return family


def _counter(name: str, values: list[tuple[str, int]]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, _help(name), labels=["env"])
    for env, value in values:
        family.add_metric([env], value)
    return family


class Metrics:
    """The metrics of one app: what its servers' step paths record, and what their registries hold."""

    def __init__(self, servers: Sequence[EnvServer]) -> None:
        self.registry = CollectorRegistry()
        self._steps = Counter(
            "openenv_steps", _help("openenv_steps_total"), ["env", "tool", "outcome"], registry=self.registry
        )
        self._latency = Histogram(
            "openenv_step_seconds",
            _help("openenv_step_seconds"),
            ["env"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._errors = Counter(
            "openenv_call_errors", _help("openenv_call_errors_total"), ["env", "kind"], registry=self.registry
        )
        self._auth = Counter(
            "openenv_auth_refusals",
            _help("openenv_auth_refusals_total"),
            ["kind", "reason"],
            registry=self.registry,
        )
        listed = list(servers)
        self.registry.register(_Registries(lambda: listed))
        for server in listed:
            server.metrics = self

    def step(self, env: str, tool: str, outcome: str, seconds: float) -> None:
        """Count one step (`outcome`: "ok", or its error's kind) and time it."""
        self._steps.labels(env, tool, outcome).inc()
        self._latency.labels(env).observe(seconds)

    def refused(self, env: str, kind: str) -> None:
        """Count a refused call that was not a step (an unknown tool or episode, bad arguments...)."""
        self._errors.labels(env, kind).inc()

    def auth_refused(self, kind: str, reason: str) -> None:
        """Count a request the bearer check refused (`reason`: missing, expired, insufficient_scope...)."""
        self._auth.labels(kind, reason).inc()

    def exposition(self) -> bytes:
        """The text Prometheus scrapes."""
        return generate_latest(self.registry)
