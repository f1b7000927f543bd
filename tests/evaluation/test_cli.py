"""`openenv-mcp eval` end to end on wordle: the oracle, random, a callable, a model, and bad input."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import anyio
import pytest

from openenv_mcp.cli import main
from openenv_mcp.evaluation import Plan, evaluate, random_policy
from openenv_mcp.tasks import Task
from openenv_mcp.testing.serving import served
from tests.rewards.fake_openai import chat_reply, serve_fake

pytestmark = [pytest.mark.timeout(120)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["eval", "wordle", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def results(out: Path) -> dict[str, Any]:
    return json.loads((out / "results.json").read_text())


def test_the_oracle_always_succeeds_and_random_does_worse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed, err = run(
        capsys, "--policy", "oracle", "--episodes", "4", "--concurrency", "3", "--out", str(tmp_path / "o")
    )
    assert code == 0, err
    oracle = results(tmp_path / "o")
    assert oracle["overall"]["success_rate"] == 1.0 and oracle["overall"]["episodes"] == 8
    assert set(oracle["tasks"]) == {"standard", "hard"}
    assert oracle["tasks"]["hard"]["pass_at_k"] == {"1": 1.0}
    assert (tmp_path / "o" / "rewards.png").stat().st_size > 1000
    assert "overall" in printed and "pass@1" in printed and "95% CI" in printed
    assert "8/8 episodes" in err  # the progress bar, plain lines without a TTY

    code, printed, err = run(
        capsys, "--policy", "random", "--episodes", "3", "--out", str(tmp_path / "r"), "--k", "1,2"
    )
    assert code == 0, err
    chance = results(tmp_path / "r")
    assert chance["overall"]["success_rate"] < 1.0
    assert chance["overall"]["mean_reward"] < oracle["overall"]["mean_reward"] - 1.0
    low, high = chance["overall"]["ci"]
    assert low <= chance["overall"]["mean_reward"] <= high
    assert set(chance["overall"]["pass_at_k"]) == {"1", "2"}
    assert [e["seed"] for e in chance["episodes"] if e["task"] == "standard"] == [0, 1, 2]


def test_a_policy_that_raises_fails_its_episodes_not_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "--policy", "tests.evaluation.policies:raises", "--episodes", "2", "--out", str(tmp_path)
    )
    assert code == 1
    document = results(tmp_path)
    assert document["overall"]["errors"] == 4 and document["overall"]["success_rate"] == 0.0
    assert {e["error"] for e in document["episodes"]} == {"RuntimeError: the policy fell over"}
    assert "failed: 4 episodes: RuntimeError: the policy fell over" in err


def test_a_callable_class_plays_one_instance_per_episode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"id": "crane", "options": {"word": "crane"}}) + "\n")
    args = ("--policy", "tests.evaluation.policies:Crane", "--tasks", str(tasks), "--episodes", "3")
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 0, err
    document = results(tmp_path / "out")
    assert document["tasks"]["crane"]["success_rate"] == 1.0
    assert [e["ended"] for e in document["episodes"]] == ["terminated"] * 3


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--policy", "greedy"], "unknown policy 'greedy': use oracle, random or MODULE:CALLABLE"),
        (["--policy", "tests.evaluation.policies:nope"], "has no attribute 'nope'"),
        (
            ["--policy", "oracle", "--url", "http://127.0.0.1:9/envs/wordle/mcp"],
            "runs in-process only: drop --url",
        ),
        (["--model-url", "http://127.0.0.1:9/v1"], "--model-url needs --model NAME"),
        (["--policy", "random", "--model-url", "http://x/v1", "--model", "m"], "not both"),
        (["--policy", "random", "--episodes", "0"], "--episodes must be at least 1"),
        (["--policy", "random", "--tasks", "TASKS"], "'nowhere'"),
    ],
)
def test_bad_input_is_named_and_exits_2(
    args: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"id": "t1", "options": {"word": "nowhere"}}) + "\n")
    args = [str(tasks) if a == "TASKS" else a for a in args]
    code, _, err = run(capsys, *args, "--out", str(tmp_path / "out"))
    assert code == 2
    assert says in err


def solver(body: dict[str, Any]) -> tuple[int, str]:
    """A model that guesses crane with a tool call, and answers nonsense when told to."""
    names = [t["function"]["name"] for t in body.get("tools", [])]
    if body["model"] == "garbage":
        return 200, '{"choices": []}'
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": names[0], "arguments": '{"word": "crane"}'},
    }
    return chat_reply(None, [call])


def test_a_model_plays_through_an_openai_compatible_endpoint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(json.dumps({"id": "crane", "options": {"word": "crane"}}) + "\n")
    with serve_fake(solver) as fake:
        args = ["--model-url", fake.url, "--model", "solver", "--tasks", str(tasks), "--episodes", "2"]
        code, _, err = run(capsys, *args, "--system", "Play well.", "--out", str(tmp_path / "ok"))
        assert code == 0, err
        assert results(tmp_path / "ok")["overall"]["success_rate"] == 1.0
        first = fake.bodies[0]
        assert first["messages"][0] == {"role": "system", "content": "Play well."}
        assert [t["function"]["name"] for t in first["tools"]] == ["guess", "letters"]
        args[3] = "garbage"
        code, _, err = run(capsys, *args, "--out", str(tmp_path / "bad"))
    assert code == 1
    assert "answered something that is not a chat completion" in err


def test_a_model_endpoint_that_is_down_fails_each_episode_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["--model-url", f"http://127.0.0.1:{port}/v1", "--model", "m", "--episodes", "1"]
    code, _, err = run(capsys, *args, "--out", str(tmp_path))
    assert code == 1
    assert f"model endpoint http://127.0.0.1:{port}/v1/chat/completions is unreachable" in err
    assert results(tmp_path)["overall"]["errors"] == 2


@pytest.mark.subprocess
async def test_a_running_server_is_evaluated_over_its_url() -> None:
    plan = Plan([Task("standard"), Task("hard", {"hard_mode": True})], episodes=2, concurrency=2)
    with anyio.fail_after(90):
        async with served("wordle") as url:
            outcomes = await evaluate(url, plan, random_policy)
    assert [(o.task, o.seed) for o in outcomes] == [
        ("standard", 0),
        ("standard", 1),
        ("hard", 0),
        ("hard", 1),
    ]
    assert all(o.error is None and o.ended == "truncated" and not o.success for o in outcomes)
