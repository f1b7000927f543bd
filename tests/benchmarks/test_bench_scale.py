"""The scaling benchmark in a tiny configuration: every server, every session succeeds, the table and plot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.bench_scale import main

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(300)]


def test_every_session_of_every_server_succeeds_and_the_curve_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "scale.json"
    assert main(["--levels", "2", "6", "--sleep", "0.05", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    servers = {"openenv-mcp mcp", "openenv-mcp /ws", "openenv 0.10.0 /ws"}
    assert {(r["server"], r["sessions"]) for r in rows} == {(s, n) for s in servers for n in (2, 6)}
    for row in rows:
        assert row["succeeded"] == row["sessions"], row["first_error"]
        assert row["p99_s"] >= 0.05  # every step slept
    assert out.with_suffix(".png").stat().st_size > 0
    shown = capsys.readouterr().out
    assert "| openenv-mcp /ws | 6 | 6 | 100.0% |" in shown
