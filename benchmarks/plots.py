"""PNG plots of one suite run's results; needs matplotlib (the `plot` extra)."""

# matplotlib's annotations leave **kwargs untyped, which strict mode reports on every call.
# pyright: reportUnknownMemberType=false

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["plot"]


def plot(results: dict[str, Any], out: Path) -> list[Path]:
    """PNG plots of the sweep and the latencies; needs matplotlib (the `plot` extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written: list[Path] = []
    if results["sweep"]:
        figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
        for driver in sorted({r["driver"] for r in results["sweep"]}):
            rows = sorted((r for r in results["sweep"] if r["driver"] == driver), key=lambda r: r["episodes"])
            levels = [r["episodes"] for r in rows]
            left.plot(levels, [r["steps_per_s"] for r in rows], marker="o", label=driver)
            right.plot(levels, [r["p99_ms"] for r in rows], marker="o", label=driver)
        for axis, title in ((left, "aggregate steps/s"), (right, "p99 step latency (ms)")):
            axis.set_xscale("log", base=2)
            axis.set_xlabel("concurrent episodes")
            axis.set_title(title)
            axis.grid(alpha=0.3)
        left.set_ylim(bottom=0)
        right.set_yscale("log")
        left.legend(fontsize=8)
        figure.suptitle(f"Echo over HTTP, {results['machine']['cores']} cores, one client process")
        figure.tight_layout()
        written.append(out / "sweep.png")
        figure.savefig(written[-1], dpi=110)
        plt.close(figure)
    if results["latency"]:
        rows = results["latency"]
        figure, axis = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2))
        labels = [r["driver"] for r in rows]
        axis.barh(labels, [r["p50_ms"] for r in rows], label="p50")
        axis.barh(
            labels,
            [r["p99_ms"] - r["p50_ms"] for r in rows],
            left=[r["p50_ms"] for r in rows],
            alpha=0.4,
            label="p99",
        )
        axis.set_xlabel("step latency, one client (ms)")
        axis.invert_yaxis()
        axis.legend()
        axis.grid(axis="x", alpha=0.3)
        figure.tight_layout()
        written.append(out / "latency.png")
        figure.savefig(written[-1], dpi=110)
        plt.close(figure)
    return written
