"""`openenv-mcp validate` over every installed environment: each passes, or says why it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from openenv_mcp import discovery
from openenv_mcp.cli import main

pytestmark = [pytest.mark.timeout(300)]

ORACLES = {"wordle", "connect_four", "python", "terminal"}
"""The environments that ship an oracle: their maximum is reached, the floor stays below it."""


@pytest.mark.sandbox
def test_every_installed_environment_passes_and_the_json_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [name for name in discovery.available() if name != "openenv_bridge"]
    out = tmp_path / "validate.json"
    code = main(["validate", *names, "--json", str(out), "--tasks", "2"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    reports = {report["environment"]: report for report in json.loads(out.read_text())}
    assert set(reports) == set(names)
    for name, report in reports.items():
        statuses = {check["id"]: check["status"] for check in report["checks"]}
        assert "fail" not in statuses.values(), (name, statuses)
        if name in ORACLES:
            assert statuses["semantic.oracle_max"] == "pass", (name, statuses)
            assert statuses["semantic.floor_gap"] == "pass", (name, statuses)


def test_an_environment_that_cannot_be_loaded_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "no_such_environment"]) == 2
    assert "could not run: no environment named 'no_such_environment'" in capsys.readouterr().out
