"""The agent-loop example runs end to end in both model formats, surviving malformed output."""

from __future__ import annotations

import anyio
import pytest

from examples.agent_loop import main, rollouts
from openenv_mcp.server import EnvServer
from openenv_mcp_connect_four import ConnectFourEnvironment


@pytest.mark.parametrize("fmt", ["openai", "hermes"])
async def test_rollouts_finish_and_collect_rewards(fmt: str) -> None:
    server = EnvServer(ConnectFourEnvironment)
    with anyio.fail_after(60):
        runs = await rollouts(server, 4, "openai" if fmt == "openai" else "hermes")
    assert all(run.done for run in runs)
    assert all(run.ret in (-1.0, 0.0, 1.0) for run in runs)
    assert sum(run.parse_errors for run in runs) > 0
    for run in runs:
        assert run.messages[0]["role"] == "system"
        role = "tool" if fmt == "openai" else "user"
        replies = [m for m in run.messages[2:] if m["role"] == role]
        assert len(replies) == len(run.rewards)
    if fmt == "openai":
        calls = [m for m in runs[0].messages if m["role"] == "assistant"]
        answers = [m for m in runs[0].messages if m["role"] == "tool"]
        assert [c["tool_calls"][0]["id"] for c in calls] == [a["tool_call_id"] for a in answers]
        assert any(
            a["content"].startswith("Could not read an action")
            for r in runs
            for a in r.messages[2:]
            if a["role"] == "tool"
        )
    assert server.registry.live == 0


def test_the_script_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--rollouts", "2", "--format", "hermes"]) == 0
    assert "mean return" in capsys.readouterr().out
