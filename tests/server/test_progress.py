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


class Staged(Environment):
    name = "staged"

    @tool
    async def build(self, stages: int) -> str:
        """Run `stages` stages, reporting each.

        Args:
            stages: How many stages.
        """
        await anyio.sleep(0.25)  # long enough for heartbeats first
        for stage in range(1, stages + 1):
            await self.report_progress(stage, stages, f"stage {stage} of {stages}")
            await self.report_progress(stage - 0.5, stages)  # going back: dropped, never sent
        return "built"


@pytest.mark.parametrize("era", ERAS)
async def test_an_environment_that_reports_takes_over_from_the_heartbeat(era: ConnectMode) -> None:
    server = EnvServer(Staged)
    server.progress_interval = 0.05
    reports: Reports = []
    with anyio.fail_after(30):
        async with connect(server, era) as client:
            episode_id = structured(await client.call_tool("reset", {}))["episode_id"]
            arguments = {"stages": 3, "episode_id": episode_id}
            result = await client.call_tool("build", arguments, progress_callback=_recorder(reports))
            assert text(result) == "built"
    values = [progress for progress, _, _ in reports]
    assert values == sorted(values) and len(set(values)) == len(values), "progress must rise"
    beats = [r for r in reports if (r[2] or "").startswith("build: running for")]
    stages = reports[len(beats) :]
    assert beats and [message for *_, message in stages] == [f"stage {n} of 3" for n in (1, 2, 3)]
    offset = beats[-1][0]
    assert [p - offset for p, _, _ in stages] == pytest.approx([1, 2, 3])
    assert [t for _, t, _ in stages] == pytest.approx([3 + offset] * 3)


async def test_a_report_without_a_listening_caller_goes_nowhere() -> None:
    env = Staged()
    await env.reset(seed=0)
    await env.report_progress(1, 2, "nobody hears this")  # outside any call: no error


@pytest.mark.sandbox
async def test_a_submission_reports_the_graders_phases() -> None:
    server = EnvServer(PythonEnvironment, warm_pool=0)
    reports: Reports = []
    with anyio.fail_after(60):
        async with connect(server, "legacy") as client:
            episode_id = structured(await client.call_tool("reset", {"seed": 0}))["episode_id"]
            result = await client.call_tool(
                "submit", {"episode_id": episode_id}, progress_callback=_recorder(reports)
            )
            assert not result.is_error, text(result)
            await client.call_tool("close", {"episode_id": episode_id})
    messages = [
        message or "" for *_, message in reports if not (message or "").startswith("submit: running for")
    ]
    assert messages[0] == "submit: starting the grader's sandbox"
    assert messages[1].startswith("submit: running") and messages[1].endswith("hidden tests")
    assert messages[2].startswith("submit: 0 of") and messages[2].endswith("hidden tests passed")
