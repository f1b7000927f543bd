"""/metrics: steps by tool and outcome, latency, refusals, episodes and the sandbox pool."""

from __future__ import annotations

import anyio
import httpx2
import mcp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import EnvServer
from openenv_mcp.server.metrics import SERIES
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment
from openenv_mcp_python import PythonEnvironment

ECHO = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, by name and sorted labels."""
    found: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_steps_refusals_and_episodes_are_counted() -> None:
    echo = EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=2))
    with anyio.fail_after(60):
        async with running_http(build_app([echo])) as base:
            async with mcp.Client(f"{base}/envs/echo/mcp", mode="2026-07-28") as client:
                reset = await client.call_tool("reset", {"seed": 1})
                assert reset.structured_content is not None
                episode = reset.structured_content["episode_id"]
                for _ in range(3):
                    await client.call_tool("echo", {"message": "hi", "episode_id": episode})
                await client.call_tool("step", {"episode_id": episode, "action": ECHO})
                await client.call_tool("echo", {"message": 7, "episode_id": episode})  # invalid arguments
                await client.call_tool("state", {"episode_id": "forged"})  # refused, not a step
                await client.call_tool("reset", {})
                await client.call_tool("reset", {})  # at capacity
                await client.call_tool("close", {"episode_id": episode})
            async with httpx2.AsyncClient() as http:
                page = await http.get(f"{base}/metrics")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/plain")
    found = samples(page.text)
    env = (("env", "echo"),)
    assert found[("openenv_steps_total", (("env", "echo"), ("outcome", "ok"), ("tool", "echo")))] == 4
    assert (
        found[("openenv_steps_total", (("env", "echo"), ("outcome", "invalid_arguments"), ("tool", "echo")))]
        == 1
    )
    assert found[("openenv_step_seconds_count", env)] == 5
    assert found[("openenv_call_errors_total", (("env", "echo"), ("kind", "unknown_episode")))] == 1
    assert found[("openenv_call_errors_total", (("env", "echo"), ("kind", "at_capacity")))] == 1
    assert found[("openenv_episodes_opened_total", env)] == 2
    assert found[("openenv_episodes_closed_total", env)] == 1
    assert found[("openenv_episodes_live", env)] == 1
    assert found[("openenv_capacity_refusals_total", env)] == 1


@pytest.mark.sandbox
async def test_the_sandbox_pool_is_counted() -> None:
    python = EnvServer(PythonEnvironment, warm_pool=1)
    with anyio.fail_after(60):
        async with running_http(build_app([python])) as base:
            async with mcp.Client(f"{base}/envs/python/mcp", mode="2026-07-28") as client:
                while python.sandbox_provider is not None and python.sandbox_provider.warm < 1:
                    await anyio.sleep(0.01)
                first = await client.call_tool("reset", {"seed": 1})
                second = await client.call_tool("reset", {"seed": 2})  # the pool is refilling: cold
                assert not first.is_error and not second.is_error
            async with httpx2.AsyncClient() as http:
                found = samples((await http.get(f"{base}/metrics")).text)
    env = (("env", "python"),)
    assert found[("openenv_sandbox_warm_hits_total", env)] >= 1
    assert (
        found[("openenv_sandbox_warm_hits_total", env)] + found[("openenv_sandbox_cold_starts_total", env)]
        == 2
    )
    assert found[("openenv_sandbox_failures_total", env)] == 0
    assert ("openenv_sandbox_pool_idle", env) in found


def test_every_series_is_documented() -> None:
    with open("README.md", encoding="utf-8") as readme:
        text = readme.read()
    assert not [name for name in SERIES if f"`{name}`" not in text]
