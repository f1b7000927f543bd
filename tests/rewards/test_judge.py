"""The LLM judge against a local OpenAI-compatible server with fixed verdicts; the endpoint's failures."""

from __future__ import annotations

import socket
from typing import Any

import anyio
import pytest

from openenv_mcp.rewards import EndpointError, LLMJudge, Reward, RewardError, Rubric
from openenv_mcp.rewards.judge import read_verdict
from openenv_mcp.spec import StepResult
from tests.rewards.fake_openai import chat_reply, serve_fake

END = StepResult(reward=0.0, terminated=True)


def verdicts(body: dict[str, Any]) -> tuple[int, str]:
    """Fixed verdicts by the final answer the judge was shown."""
    asked = body["messages"][-1]["content"]
    if "## The agent's final answer\ncrane" in asked:
        return chat_reply("The agent found the word.\nSCORE: 0.9")
    if "## The agent's final answer\nslate" in asked:
        return chat_reply("NO")
    if "## The agent's final answer\nhttp" in asked:
        return 500, "internal error"
    if "## The agent's final answer\njson" in asked:
        return 200, "this is not json"
    return chat_reply("I would rather not say.")


def test_the_judge_scores_each_completion_from_its_verdict() -> None:
    with serve_fake(verdicts) as fake:
        judge = LLMJudge(fake.url, "judge-model", timeout=5)
        scores = judge(prompts=["Guess the word"] * 2, completions=["crane", "slate"], answer=["crane", None])
    assert scores == [0.9, 0.0]
    first = fake.bodies[0]
    assert first["model"] == "judge-model" and first["temperature"] == 0.0
    assert first["messages"][0]["role"] == "system"
    assert "## A reference answer\ncrane" in first["messages"][1]["content"]
    assert "## A reference answer" not in fake.bodies[1]["messages"][1]["content"]


async def test_in_a_rubric_a_judge_without_a_verdict_is_that_reward_s_error() -> None:
    rows = [
        {"prompts": "p", "completions": c, "transcript": f"[agent]\n{c}"}
        for c in ("crane", "hmm", "http", "json")
    ]
    with serve_fake(verdicts) as fake:
        rubric = Rubric([Reward(LLMJudge(fake.url, "m", timeout=5), weight=2.0)])
        with anyio.fail_after(20):
            good = (await rubric.score(rows[:1], [END]))[0]
            silent = (await rubric.score(rows[1:2], [END]))[0]
            failed = (await rubric.score(rows[2:3], [END]))[0]
            garbage = (await rubric.score(rows[3:], [END]))[0]
    assert good.values == {"llm_judge": 0.9} and good.total == pytest.approx(1.8)
    assert "## What the agent did\n[agent]\ncrane" in fake.bodies[0]["messages"][1]["content"]
    assert silent.values == {"llm_judge": None}
    assert "holds no verdict" in silent.errors["llm_judge"]
    assert "answered HTTP 500: internal error" in failed.errors["llm_judge"]
    assert "not a chat completion: 'this is not json'" in garbage.errors["llm_judge"]


def test_an_endpoint_that_is_down_is_named() -> None:
    with socket.socket() as probe:  # a port nothing listens on once the probe closes
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    judge = LLMJudge(f"http://127.0.0.1:{port}/v1", "m", timeout=5)
    with pytest.raises(
        EndpointError, match=rf"model endpoint http://127.0.0.1:{port}/v1/chat/completions is unreachable"
    ):
        judge(prompts=["p"], completions=["c"])


@pytest.mark.parametrize(
    ("reply", "score"),
    [("SCORE: 1", 1.0), ("score = 0.25", 0.25), ("0.5", 0.5), ("Yes.", 1.0), ("fail", 0.0)],
)
def test_verdicts_read(reply: str, score: float) -> None:
    assert read_verdict(reply) == score


def test_a_score_outside_the_scale_is_refused() -> None:
    with pytest.raises(RewardError, match=r"outside 0\.\.1"):
        read_verdict("SCORE: 7")
