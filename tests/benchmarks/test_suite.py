"""The benchmark suite's one command, run small, and its target verdicts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks.report import markdown, targets

ROOT = Path(__file__).parent.parent.parent


@pytest.mark.subprocess
@pytest.mark.timeout(400)
def test_the_quick_run_measures_every_scenario_and_server(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=380,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["machine"]["cores"] >= 1 and results["machine"]["packages"]["mcp"].startswith("2.")

    servers = {row["driver"] for row in results["latency"]}
    expected = {
        "openenv-mcp in-memory (sdk client)",
        "bare mcp stdio (sdk client)",
        "openenv ws",
        "openenv /mcp",
    }
    assert expected <= servers
    sweep = {(row["driver"], row["episodes"]) for row in results["sweep"]}
    for driver in ("openenv-mcp http", "bare mcp http", "openenv ws", "openenv /mcp"):
        assert {(driver, level) for level in (1, 8, 64)} <= sweep
    for row in results["latency"] + results["sweep"] + results["batched"]:
        assert row["errors"] == 0, row
        assert row["steps_per_s"] > 0, row
    memory = {row["driver"]: row for row in results["memory"]}
    assert memory["openenv-mcp http"]["opened"] == 500 and memory["openenv /mcp"]["opened"] == 500
    assert [row["pool"] for row in results["sandbox"]] == ["warm pool of 2", "cold"]

    summary = (tmp_path / "summary.md").read_text()
    assert "### Targets" in summary and "not measured" in summary  # the quick run has no 1,024 level
    assert (tmp_path / "sweep.png").stat().st_size > 10_000
    assert (tmp_path / "latency.png").stat().st_size > 10_000


def _results(**overrides: Any) -> dict[str, Any]:
    def level(driver: str, episodes: int, steps_per_s: float, errors: int = 0) -> dict[str, Any]:
        return {
            "driver": driver,
            "episodes": episodes,
            "steps_per_s": steps_per_s,
            "errors": errors,
            "attempts": 100,
        }

    results: dict[str, Any] = {
        "latency": [
            {"driver": "openenv-mcp http", "p50_ms": 3.0, "steps_per_s": 300.0},
            {"driver": "openenv ws", "p50_ms": 5.0, "steps_per_s": 190.0},
            {"driver": "openenv-mcp in-memory (sdk client)", "p50_ms": 0.7, "steps_per_s": 1000.0},
            {"driver": "bare mcp in-memory (sdk client)", "p50_ms": 0.6, "steps_per_s": 1200.0},
        ],
        "sweep": [
            level("openenv-mcp http", 64, 500.0),
            level("bare mcp http", 64, 520.0),
            level("openenv ws", 64, 200.0),
            level("openenv-mcp http", 1024, 450.0),
        ],
        "memory": [{"driver": "openenv-mcp http", "kib_per_episode": 5.0, "opened": 10_000}],
    }
    results.update(overrides)
    return results


def test_targets_are_judged_on_ratios_from_the_same_run() -> None:
    verdicts = {t.name: t for t in targets(_results())}
    assert [t.met for t in verdicts.values()] == [True, True, True, True, True]
    assert "2.50x" in verdicts["64 episodes: >= 2x OpenEnv WebSocket steps/s"].measured
    assert "in-memory (sdk) +20%" in verdicts["our layer <= 25% over the bare SDK"].measured


def test_a_missed_target_says_so() -> None:
    slow = _results(memory=[{"driver": "openenv-mcp http", "kib_per_episode": 80.0, "opened": 10_000}])
    slow["sweep"][0]["steps_per_s"] = 300.0  # 1.5x OpenEnv, and 73% over the bare server
    slow["sweep"][3]["errors"] = 3
    verdicts = [t.met for t in targets(slow)]
    assert verdicts == [False, True, False, False, False]


def test_an_unmeasured_target_is_neither_met_nor_missed() -> None:
    verdicts = targets(_results(sweep=[], memory=[]))
    assert [t.met for t in verdicts] == [None, True, True, None, None]


def test_the_summary_tabulates_what_ran() -> None:
    results = _results(batched=[], sandbox=[], skipped={"sandbox": "no bwrap"})
    results["machine"] = {
        "cores": 2,
        "cpu": "test",
        "memory_gib": 1.0,
        "python": "3.11",
        "packages": {"mcp": "2.3.0"},
        "commit": "abc",
        "date_utc": "2026-11-23",
        "load_average": [0.5, 0.5, 0.5],
    }
    for row in results["latency"]:
        row.update(p99_ms=row["p50_ms"] * 2, errors=0)
    for row in results["sweep"]:
        row.update(p50_ms=1.0, p99_ms=2.0, error_rate=0.0)
    results["memory"][0].update(rss_before_kib=1024, rss_after_kib=2048, errors=0)
    summary = markdown(results)
    assert "| openenv ws | 64 | 200 |" in summary
    assert "Skipped sandbox: no bwrap" in summary
