"""The leak soak, short: 300 episodes over every transport, a fifth dropped mid-step, nothing left.

The full run (`python -m benchmarks.soak`, 10,000 episodes) is a script whose table is read;
this is its short form for CI, held to the same verdict: no live episode, no expiry but the
dropped episodes', no child process or open descriptor past the baseline, and no error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.soak import main

pytestmark = [pytest.mark.subprocess, pytest.mark.sandbox, pytest.mark.timeout(120)]

TRANSPORTS = {"echo http 2025-11-25", "echo http 2026-07-28", "echo stdio", "python http (bubblewrap)"}


def test_a_short_soak_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    code = main(["--episodes", "300", "--python-episodes", "10", "--idle-ttl", "1", "--json", str(out)])
    results = json.loads(out.read_text())
    assert code == 0 and results["leaks"] == [], "\n".join(results["leaks"])

    rows = {row["transport"]: row for row in results["rows"]}
    assert set(rows) == TRANSPORTS
    assert sum(rows[t]["episodes"] for t in TRANSPORTS - {"python http (bubblewrap)"}) == 300
    for transport, row in rows.items():
        assert row["dropped"] > 0, f"{transport}: no client dropped, so the soak proved nothing"
        assert row["live_after"] == 0 and row["errors"] == 0
