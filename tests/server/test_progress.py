"""Progress notifications from long calls, in both eras, in memory and over HTTP."""

from __future__ import annotations

import anyio
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.environment import Environment, tool
from openenv_mcp.server import EnvServer
from openenv_mcp.server import progress as progress_module
from openenv_mcp.testing import connect as connect_over
from openenv_mcp.testing import structured, text
from openenv_mcp_python import PythonEnvironment
from tests.conftest import ERAS, connect

Reports = list[tuple[float, float | None, str | None]]


class Slow(Environment):
    name = "slow"

    @tool
    async def wait(self, seconds: float) -> str:
        """Wait, then say so.

        Args:
            seconds: How long to wait.
        """
        await anyio.sleep(seconds)
        return "waited"


def _recorder(into: Reports):
    async def record(progress: float, total: float | None, message: str | None) -> None:
        into.append((progress, total, message))

    return record


def _check_beats(reports: Reports, tool_name: str) -> None:
    assert len(reports) >= 3, reports
    values = [progress for progress, _, _ in reports]
    assert values == sorted(values) and len(set(values)) == len(values), "progress must rise"
    assert all(
        message is not None and message.startswith(f"{tool_name}: running for") for *_, message in reports
    )


@pytest.mark.parametrize("era", ERAS)
async def test_a_long_call_reports_progress_when_asked(era: ConnectMode) -> None:
    server = EnvServer(Slow)
    server.progress_interval = 0.05
    reports: Reports = []
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            arguments = {"seconds": 0.5}
            if era == "2026-07-28":
                arguments["episode_id"] = structured(await client.call_tool("reset", {}))["episode_id"]
            result = await client.call_tool("wait", arguments, progress_callback=_recorder(reports))
            assert text(result).endswith("waited")
    _check_beats(reports, "wait")


@pytest.mark.parametrize("era", ERAS)
async def test_a_caller_that_did_not_ask_gets_no_heartbeat(
    era: ConnectMode, monkeypatch: pytest.MonkeyPatch
) -> None:
    beats: list[str] = []

    async def beat(ctx: object, what: str, interval: float) -> None:
        beats.append(what)

    monkeypatch.setattr(progress_module, "_beat", beat)
    server = EnvServer(Slow)
    server.progress_interval = 0.01
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            await client.call_tool("reset", {})
            assert beats == []
            await client.call_tool("reset", {}, progress_callback=_recorder([]))
            assert beats == ["reset"]


@pytest.mark.subprocess
@pytest.mark.parametrize("era", ERAS)
async def test_progress_reaches_a_client_over_http(era: ConnectMode) -> None:
    server = EnvServer(Slow)
    server.progress_interval = 0.05
    reports: Reports = []
    with anyio.fail_after(60):
        async with connect_over(server, transport="http", era=era) as client:
            episode_id = structured(await client.call_tool("reset", {}))["episode_id"]
            arguments = {"seconds": 0.5, "episode_id": episode_id}
            result = await client.call_tool("wait", arguments, progress_callback=_recorder(reports))
            assert text(result) == "waited"
    _check_beats(reports, "wait")


@pytest.mark.sandbox
@pytest.mark.parametrize("era", ERAS)
async def test_a_code_action_reports_progress_while_it_runs(era: ConnectMode) -> None:
    server = EnvServer(PythonEnvironment, warm_pool=0)
    server.progress_interval = 0.1
    reports: Reports = []
    with anyio.fail_after(60):
        async with connect(server, era) as client:
            episode_id = structured(await client.call_tool("reset", {"seed": 0}))["episode_id"]
            code = {"code": "import time\ntime.sleep(0.8)\n'slept'", "episode_id": episode_id}
            result = await client.call_tool("run_python", code, progress_callback=_recorder(reports))
            assert text(result) == "'slept'"
            await client.call_tool("close", {"episode_id": episode_id})
    _check_beats(reports, "run_python")
