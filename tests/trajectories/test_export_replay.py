"""Export loaded back with `datasets` and checked against the episode; replay finds the first divergence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import pytest

from openenv_mcp import Environment, tool
from openenv_mcp.cli import main
from openenv_mcp.errors import TaskError, TrajectoryError
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.tasks.library import datasets
from openenv_mcp.trajectories import (
    Recording,
    Trajectory,
    read_trajectory,
    replay,
    to_chat_jsonl,
    to_jsonl,
    to_messages,
    to_parquet,
)
from openenv_mcp_echo import EchoEnvironment

load_dataset: Any = datasets(TaskError, "these tests").load_dataset


async def _recorded(tmp_path: Path) -> Trajectory:
    server = EnvServer(EchoEnvironment)
    server.registry.recording = Recording(tmp_path / "record")
    first, _ = await server.registry.create(seed=4, options={"max_steps": 3})
    for message in ("one", "two", "three"):
        await first.step(
            ToolCallAction(tool_name="echo", parameters={"message": message}, tool_call_id=message)
        )
    await server.registry.close_all()
    (trajectory,) = server.registry.recording.trajectories()
    return trajectory


async def test_each_export_loads_with_datasets_and_matches_the_episode(tmp_path: Path) -> None:
    with anyio.fail_after(20):
        trajectory = await _recorded(tmp_path)
    steps = load_dataset("json", data_files=str(to_jsonl([trajectory], tmp_path / "s.jsonl")), split="train")
    table = load_dataset(
        "parquet", data_files=str(to_parquet([trajectory], tmp_path / "s.parquet")), split="train"
    )
    for rows in (steps, table):
        assert rows["observation"] == ["one", "two", "three"] and rows["seed"] == [4, 4, 4]
        assert rows["reward"] == [s.reward for s in trajectory.steps] and rows["truncated"] == [
            False,
            False,
            True,
        ]
        assert [json.loads(a)["parameters"]["message"] for a in rows["action"]] == ["one", "two", "three"]
    chats = load_dataset(
        "json", data_files=str(to_chat_jsonl([trajectory], tmp_path / "c.jsonl")), split="train"
    )
    messages = chats[0]["messages"]
    assert messages[0] == {"role": "user", "content": trajectory.start.observation, **_absent(messages[0])}
    assert [m["role"] for m in messages] == ["user"] + ["assistant", "tool"] * 3
    call = messages[1]["tool_calls"][0]
    assert call["id"] == "one" and json.loads(call["function"]["arguments"]) == {"message": "one"}
    assert messages[2]["tool_call_id"] == "one" and messages[2]["content"] == "one"
    assert chats[0]["reward"] == pytest.approx(trajectory.total_reward)
    assert to_messages(trajectory, system="be brief")[0] == {"role": "system", "content": "be brief"}


def _absent(message: dict[str, Any]) -> dict[str, Any]:
    """Keys `datasets` adds as nulls to every message (the union of all messages' keys)."""
    return {k: None for k, v in message.items() if k not in ("role", "content") and v is None}


class Drifting(Environment):
    """A broken environment: its observation depends on a counter outside the seed."""

    name = "drifting"
    calls = 0

    @tool
    def poke(self) -> str:
        """Poke it."""
        Drifting.calls += 1
        return f"poked {Drifting.calls}"


async def test_replay_matches_a_deterministic_episode_and_finds_a_changed_one(tmp_path: Path) -> None:
    with anyio.fail_after(20):
        trajectory = await _recorded(tmp_path)
        assert await replay(trajectory, EchoEnvironment()) is None
        tampered = trajectory.model_copy(deep=True)
        tampered.steps[1].reward = 9.0
        found = await replay(tampered, EchoEnvironment())
        assert found is not None and (found.step, found.field, found.recorded) == (2, "reward", 9.0)
        tampered = trajectory.model_copy(deep=True)
        tampered.steps[2].truncated = False
        assert str(await replay(tampered, EchoEnvironment())).startswith("step 3: truncated differs")
        recording = Recording()
        env = Drifting()
        first = await env.reset(seed=1)
        recorder = recording.begin("drifting", None, 1, None, first)
        recorder.step(ToolCallAction(tool_name="poke"), await env.step(ToolCallAction(tool_name="poke")), 0.0)
        found = await replay(recorder.trajectory(), Drifting())
        assert found is not None and (found.step, found.field) == (1, "observation")


def test_the_replay_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    trajectory = anyio.run(_recorded, tmp_path)
    (path,) = (tmp_path / "record").glob("*.jsonl")
    assert main(["replay", str(path)]) == 0 and "replayed 3 steps identically" in capsys.readouterr().out
    lines = path.read_text().splitlines()
    changed = json.loads(lines[2]) | {"observation": "changed"}
    path.write_text("\n".join([lines[0], lines[1], json.dumps(changed), lines[3]]) + "\n")
    assert main(["replay", str(path)]) == 1 and "step 2: observation differs" in capsys.readouterr().out
    path.write_text(lines[0] + "\n{broken\n")
    assert main(["replay", str(path)]) == 2 and "line 2 is not a step" in capsys.readouterr().err
    with pytest.raises(TrajectoryError, match="empty trajectory"):
        path.write_text("")
        read_trajectory(path)
    assert trajectory.start.env == "echo"
