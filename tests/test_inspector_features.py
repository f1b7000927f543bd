"""MCP Inspector (the reference client) reads prompts and resources, over stdio and HTTP, in both eras."""

from __future__ import annotations

import sys

import pytest

from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_python.tasks import task_ids
from openenv_mcp_wordle import WordleEnvironment
from tests.test_inspector import ERAS, inspect

pytestmark = [pytest.mark.node, pytest.mark.subprocess]


def _stdio(env: str) -> list[str]:
    return [sys.executable, "-m", "openenv_mcp", "serve", env, "--transport", "stdio"]


@pytest.mark.parametrize("era", ERAS)
async def test_inspector_lists_and_gets_prompts_over_stdio(era: str) -> None:
    listed = await inspect(era, _stdio("python"), "--method", "prompts/list")
    assert [p["name"] for p in listed["result"]["prompts"]] == [
        "briefing",
        *(f"task_{t}" for t in task_ids()),
    ]
    got = await inspect(
        era,
        _stdio("python"),
        "--method",
        "prompts/get",
        "--prompt-name",
        "task_two_sum",
        "--prompt-args",
        "seed=3",
    )
    text = got["result"]["messages"][0]["content"]["text"]
    assert text.startswith("Task two_sum: Two sum") and 'call reset with {"seed": 3' in text


@pytest.mark.parametrize("era", ERAS)
async def test_inspector_reads_the_rules_over_stdio(era: str) -> None:
    listed = await inspect(era, _stdio("wordle"), "--method", "resources/list")
    assert [r["uri"] for r in listed["result"]["resources"]] == [
        "openenv://wordle/rules",
        "openenv://wordle/readme",
    ]
    read = await inspect(
        era, _stdio("wordle"), "--method", "resources/read", "--uri", "openenv://wordle/rules"
    )
    [content] = read["result"]["contents"]
    assert content["mimeType"] == "text/markdown" and content["text"].startswith("# wordle\n")


@pytest.mark.parametrize("era", ERAS)
async def test_inspector_reads_an_episodes_transcript_over_http(era: str) -> None:
    async with running_http(build_app([EnvServer(WordleEnvironment)])) as base:
        url = f"{base}/envs/wordle/mcp"
        reset = await inspect(
            era, [url], "--method", "tools/call", "--tool-name", "reset", "--tool-arg", "seed=4"
        )
        episode_id = reset["result"]["structuredContent"]["episode_id"]
        uri = f"openenv://wordle/episodes/{episode_id}/transcript"
        read = await inspect(era, [url], "--method", "resources/read", "--uri", uri)
    text = read["result"]["contents"][0]["text"]
    assert text.startswith(f"# wordle episode {episode_id}\n") and "## Briefing" in text
