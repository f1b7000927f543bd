"""The reward hooks: on the server (every path that steps) and around the clients, over MCP in memory."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from openenv_mcp.cli import main
from openenv_mcp.client import AutoresetMode, EnvClient, VectorEnvClient
from openenv_mcp.rewards import ExactMatch, Regex, Reward, RewardedClient, RewardedVectorClient, Rubric
from openenv_mcp.rewards.cli import reward_servers
from openenv_mcp.rewards.server import reward_server
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.tasks import Task
from openenv_mcp_wordle import WordleEnvironment

CRANE = {"word": "crane"}


def guess(word: str) -> ToolCallAction:
    return ToolCallAction(tool_name="guess", parameters={"word": word})


def steps(completions: list[str], **kwargs: Any) -> list[float]:
    return [0.01 * step for step in kwargs["step"]]


def rubric() -> Rubric:
    return Rubric([Reward(ExactMatch("word"), weight=2.0), Reward(steps, on="step")])


async def test_the_server_scores_inner_calls_and_step_alike_and_keeps_its_own_reward() -> None:
    server = EnvServer(WordleEnvironment)
    reward_server(server, rubric())
    with anyio.fail_after(20):
        async with EnvClient(server) as env:
            await env.reset(seed=1, options=CRANE)
            first = await env.step(guess("slate"))  # an inner tool call
            last = await env.step({"type": "tool_call", "tool_name": "guess", "parameters": CRANE})
    assert first.info["external_rewards"] == {"steps": pytest.approx(0.01)}
    assert first.info["combined_reward"] == pytest.approx(first.reward + 0.01)
    assert last.terminated
    assert last.info["external_rewards"] == {"exact_match": 1.0, "steps": pytest.approx(0.02)}
    assert last.reward > 1.0  # the environment's own: the solve, untouched
    assert last.info["combined_reward"] == pytest.approx(last.reward + 2.0 + 0.02)


async def test_a_failing_reward_on_the_server_is_recorded_and_the_step_goes_on() -> None:
    def broken(completions: list[str], **kwargs: Any) -> list[float]:
        raise ValueError("no verdict")

    server = EnvServer(WordleEnvironment)
    reward_server(server, Rubric([Reward(broken, on="step")]))
    with anyio.fail_after(20):
        async with EnvClient(server) as env:
            await env.reset(seed=1, options=CRANE)
            result = await env.step(guess("crane"))
    assert result.terminated and result.info["external_rewards"] == {"broken": None}
    assert result.info["external_reward_errors"] == {"broken": "ValueError: no verdict"}
    assert result.info["combined_reward"] == pytest.approx(result.reward)


async def test_the_client_wrapper_scores_model_text_with_the_task_s_data() -> None:
    answer_is_crane = Reward(ExactMatch("answer"), name="answer")
    said_crane = Reward(Regex(r"\bcrane\b"), name="said", on="step")
    task = Task("fixed", {"word": "crane"}, data={"answer": "crane"})
    with anyio.fail_after(20):
        async with RewardedClient(
            EnvClient(EnvServer(WordleEnvironment)), Rubric([answer_is_crane, said_crane])
        ) as env:
            await env.reset(seed=3, **{"options": dict(task.options)}, task=task)
            text = '<tool_call>{"name": "guess", "arguments": {"word": "crane"}}</tool_call>'
            result = await env.step(text)
    assert result.terminated
    assert result.info["external_rewards"] == {"answer": 0.0, "said": 1.0}  # the completion is the text
    assert env.context.columns["answer"] == "crane" and env.context.columns["task_id"] == "fixed"


async def test_the_vector_wrapper_scores_a_batch_and_starts_over_on_autoreset() -> None:
    calls: list[int] = []

    def counted(completions: list[str], **kwargs: Any) -> list[float]:
        calls.append(len(completions))
        return [1.0] * len(completions)

    vector = VectorEnvClient(EnvServer(WordleEnvironment), 3, autoreset_mode=AutoresetMode.NEXT_STEP)
    with anyio.fail_after(30):
        async with RewardedVectorClient(vector, Rubric([counted])) as envs:
            await envs.reset_all(seeds=0, options=CRANE)
            ended = await envs.step_all([guess("crane")] * 3)
            again = await envs.step_all([guess("crane")] * 3)
            after = await envs.step_all([guess("slate")] * 3)
    assert calls == [3]  # one call for the batch; autoreset results are not scored
    assert all(r.terminated and r.info["external_rewards"] == {"counted": 1.0} for r in ended)
    assert all(r.info.get("autoreset") and "external_rewards" not in r.info for r in again)
    assert all(r.info["external_rewards"] == {} for r in after)
    assert [len(c.turns) for c in envs.contexts] == [1, 1, 1]


def test_serve_takes_reward_and_refuses_a_bad_one(capsys: pytest.CaptureFixture[str]) -> None:
    servers = [EnvServer(WordleEnvironment)]
    reward_servers(servers, ["openenv_mcp.rewards.builtin:answer_match=0.5"])
    assert len(servers[0].env_hooks) == 1
    assert main(["serve", "wordle", "--reward", "openenv_mcp.rewards:nothing_here"]) == 2
    assert "has no attribute 'nothing_here'" in capsys.readouterr().err
