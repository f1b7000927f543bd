"""Tables and target verdicts from one suite run's results (the JSON it saves)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Target", "markdown", "targets"]

OURS_HTTP = "openenv-mcp http"
BARE_HTTP = "bare mcp http"
OPENENV_WS = "openenv ws"


@dataclass
class Target:
    """One of the issue's targets: what was measured and whether it was met (None: not measured)."""

    name: str
    measured: str
    met: bool | None


def _find(rows: list[dict[str, Any]], driver: str, **where: Any) -> dict[str, Any] | None:
    for row in rows:
        if row["driver"] == driver and all(row.get(k) == v for k, v in where.items()):
            return row
    return None


def _overhead(ours: dict[str, Any] | None, bare: dict[str, Any] | None) -> float | None:
    if ours is None or bare is None or not ours["steps_per_s"]:
        return None
    return bare["steps_per_s"] / ours["steps_per_s"] - 1


def targets(results: dict[str, Any]) -> list[Target]:
    """The issue's five targets, judged on ratios from this run."""
    latency, sweep, memory = results["latency"], results["sweep"], results["memory"]
    found: list[Target] = []

    ours64, ws64 = _find(sweep, OURS_HTTP, episodes=64), _find(sweep, OPENENV_WS, episodes=64)
    if ours64 and ws64 and ws64["steps_per_s"]:
        ratio = ours64["steps_per_s"] / ws64["steps_per_s"]
        text = f"{ours64['steps_per_s']:.0f} vs {ws64['steps_per_s']:.0f} steps/s: {ratio:.2f}x"
        found.append(Target("64 episodes: >= 2x OpenEnv WebSocket steps/s", text, ratio >= 2))
    else:
        found.append(Target("64 episodes: >= 2x OpenEnv WebSocket steps/s", "not measured", None))

    ours1, ws1 = _find(latency, OURS_HTTP), _find(latency, OPENENV_WS)
    if ours1 and ws1:
        text = f"p50 {ours1['p50_ms']:.2f} vs {ws1['p50_ms']:.2f} ms"
        found.append(
            Target("one client: p50 <= OpenEnv WebSocket p50", text, ours1["p50_ms"] <= ws1["p50_ms"])
        )
    else:
        found.append(Target("one client: p50 <= OpenEnv WebSocket p50", "not measured", None))

    overheads: list[tuple[str, float]] = []
    for transport in ("in-memory", "stdio", "http"):
        value = _overhead(
            _find(latency, f"openenv-mcp {transport} (sdk client)"),
            _find(latency, f"bare mcp {transport} (sdk client)"),
        )
        if value is not None:
            overheads.append((f"{transport} (sdk)", value))
    for level in (1, 64, 1024):
        value = _overhead(_find(sweep, OURS_HTTP, episodes=level), _find(sweep, BARE_HTTP, episodes=level))
        if value is not None:
            overheads.append((f"http x{level}", value))
    if overheads:
        text = ", ".join(f"{name} {value * 100:+.0f}%" for name, value in overheads)
        found.append(Target("our layer <= 25% over the bare SDK", text, max(v for _, v in overheads) <= 0.25))
    else:
        found.append(Target("our layer <= 25% over the bare SDK", "not measured", None))

    ours1024 = _find(sweep, OURS_HTTP, episodes=1024)
    if ours1024:
        text = f"{ours1024['errors']} errors in {ours1024['attempts']} opens and steps"
        found.append(Target("1,024 concurrent episodes, zero errors", text, ours1024["errors"] == 0))
    else:
        found.append(Target("1,024 concurrent episodes, zero errors", "not measured", None))

    ours_memory = next((row for row in memory if row["driver"].startswith("openenv-mcp")), None)
    if ours_memory:
        kb = ours_memory["kib_per_episode"] * 1.024
        text = f"{kb:.1f} KB per episode ({ours_memory['opened']} open)"
        found.append(Target("<= 50 KB resident per idle echo episode", text, kb <= 50))
    else:
        found.append(Target("<= 50 KB resident per idle echo episode", "not measured", None))
    return found


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


Cell = Callable[[dict[str, Any]], str]

# One Markdown table per scenario: title, results key, and (header, cell) per column.
_TABLES: list[tuple[str, str, list[tuple[str, Cell]]]] = [
    (
        "One client, sequential steps",
        "latency",
        [
            ("server", lambda r: r["driver"]),
            ("steps/s", lambda r: f"{r['steps_per_s']:.0f}"),
            ("p50 ms", lambda r: f"{r['p50_ms']:.2f}"),
            ("p99 ms", lambda r: f"{r['p99_ms']:.2f}"),
            ("errors", lambda r: str(r["errors"])),
        ],
    ),
    (
        "Concurrent episodes over HTTP",
        "sweep",
        [
            ("server", lambda r: r["driver"]),
            ("episodes", lambda r: str(r["episodes"])),
            ("steps/s", lambda r: f"{r['steps_per_s']:.0f}"),
            ("p50 ms", lambda r: f"{r['p50_ms']:.1f}"),
            ("p99 ms", lambda r: f"{r['p99_ms']:.1f}"),
            ("errors", lambda r: f"{r['error_rate'] * 100:.2f}%"),
        ],
    ),
    (
        "Memory per idle episode",
        "memory",
        [
            ("server", lambda r: r["driver"]),
            ("idle episodes", lambda r: str(r["opened"])),
            ("RSS before MiB", lambda r: f"{r['rss_before_kib'] / 1024:.1f}"),
            ("RSS after MiB", lambda r: f"{r['rss_after_kib'] / 1024:.1f}"),
            ("KB per episode", lambda r: f"{r['kib_per_episode'] * 1.024:.1f}"),
            ("errors", lambda r: str(r["errors"])),
        ],
    ),
    (
        "Batched stepping (OpenEnv has no batched step)",
        "batched",
        [
            ("way", lambda r: r["driver"]),
            ("episodes", lambda r: str(r["episodes"])),
            ("steps/s", lambda r: f"{r['steps_per_s']:.0f}"),
            ("p50 ms per step", lambda r: f"{r['p50_ms']:.1f}"),
            ("errors", lambda r: str(r["errors"])),
        ],
    ),
    (
        "Sandboxed python episode reset",
        "sandbox",
        [
            ("sandbox", lambda r: r["pool"]),
            ("resets", lambda r: str(r["resets"])),
            ("p50 ms", lambda r: f"{r['p50_ms']:.2f}"),
            ("p99 ms", lambda r: f"{r['p99_ms']:.2f}"),
        ],
    ),
]


def markdown(results: dict[str, Any]) -> str:
    """Every table of a run, as Markdown (printed, saved and pasted into docs/benchmarks.md)."""
    parts: list[str] = []
    machine = results["machine"]
    parts.append(
        f"Machine: {machine['cores']} cores ({machine['cpu']}), {machine['memory_gib']} GiB, "
        f"Python {machine['python']}, mcp {machine['packages']['mcp']}, "
        f"openenv {results.get('openenv', 'n/a')}, "
        f"commit {machine['commit']}, {machine['date_utc']}, load {machine['load_average'][0]:.2f}."
    )
    for title, key, columns in _TABLES:
        rows = results[key]
        if key == "sweep":
            rows = sorted(rows, key=lambda r: (r["episodes"], r["driver"]))
        if rows:
            header = [name for name, _ in columns]
            cells = [[cell(r) for _, cell in columns] for r in rows]
            parts.append(f"### {title}\n\n" + _table(header, cells))
    verdicts = [
        [t.name, t.measured, {True: "met", False: "MISSED", None: "-"}[t.met]] for t in targets(results)
    ]
    parts.append("### Targets\n\n" + _table(["target", "measured", "verdict"], verdicts))
    for scenario, why in results.get("skipped", {}).items():
        parts.append(f"Skipped {scenario}: {why}")
    return "\n\n".join(parts) + "\n"
