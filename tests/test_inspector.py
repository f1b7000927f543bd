"""MCP Inspector (the reference client, from npm) lists and calls echo over stdio and HTTP, both eras."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest

from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment

pytestmark = [pytest.mark.node, pytest.mark.subprocess]

INSPECTOR = Path(__file__).parent / "node" / "node_modules" / ".bin" / "mcp-inspector"
STDIO_SERVER = [sys.executable, "-m", "openenv_mcp", "serve", "echo", "--transport", "stdio"]
ERAS = ["legacy", "modern"]


async def inspect(era: str, target: list[str], *method: str) -> dict[str, Any]:
    assert INSPECTOR.exists(), f"MCP Inspector is not installed: run `npm ci` in {INSPECTOR.parents[2]}"
    command = [
        str(INSPECTOR),
        "--cli",
        "--protocol-era",
        era,
        "--format",
        "json",
        "-q",
        *method,
        "--",
        *target,
    ]
    with anyio.fail_after(90):
        done = await anyio.run_process(command, check=False)
    output = done.stdout.decode()
    assert done.returncode == 0, f"inspector failed ({done.returncode}): {output} {done.stderr.decode()}"
    return json.loads(output)


LIST = ("--method", "tools/list")
CALL = ("--method", "tools/call", "--tool-name", "echo", "--tool-arg", "message=inspected")


@pytest.mark.parametrize("era", ERAS)
async def test_inspector_over_stdio(era: str) -> None:
    listed = await inspect(era, STDIO_SERVER, *LIST)
    assert [t["name"] for t in listed["result"]["tools"]] == [
        "reset",
        "step",
        "step_batch",
        "state",
        "close",
        "echo",
    ]
    called = await inspect(era, STDIO_SERVER, *CALL)
    # The call opened the process's default episode: its briefing comes first.
    assert called["result"]["content"][0]["text"].endswith("comes back to you.\n\ninspected")
    assert called["result"]["_meta"]["openenv-mcp/step"]["step_count"] == 1


@pytest.mark.parametrize("era", ERAS)
async def test_inspector_over_http(era: str) -> None:
    async with running_http(build_app([EnvServer(EchoEnvironment)])) as base:
        url = f"{base}/envs/echo/mcp"
        listed = await inspect(era, [url], *LIST)
        assert "echo" in [t["name"] for t in listed["result"]["tools"]]
        reset = await inspect(era, [url], "--method", "tools/call", "--tool-name", "reset")
        episode_id = reset["result"]["structuredContent"]["episode_id"]
        arguments = json.dumps({"message": "inspected", "episode_id": episode_id})
        called = await inspect(
            era, [url], "--method", "tools/call", "--tool-name", "echo", "--tool-args-json", arguments
        )
        assert called["result"]["content"][0]["text"] == "inspected"
        assert called["result"]["_meta"]["openenv-mcp/step"]["episode_id"] == episode_id


INSPECTOR_0_15 = Path(__file__).parent / "node" / "node_modules" / "@modelcontextprotocol" / "inspector-cli"
INSPECTOR_0_15_MAIN = INSPECTOR_0_15 / "build" / "index.js"
"""MCP Inspector's CLI 0.15, the last that runs on Node 20: it types `key=value` arguments from
each property's own top-level `type`."""


async def inspect_0_15(*arguments: str) -> dict[str, Any]:
    assert INSPECTOR_0_15_MAIN.exists(), f"run `npm ci` in {INSPECTOR_0_15.parents[2]}"
    command = ["node", str(INSPECTOR_0_15_MAIN), sys.executable, *arguments, "--", *STDIO_SERVER[1:]]
    with anyio.fail_after(90):
        done = await anyio.run_process(command, check=False)
    output = done.stdout.decode()
    assert done.returncode == 0, f"inspector failed ({done.returncode}): {output} {done.stderr.decode()}"
    return json.loads(output)


async def test_inspector_0_15_passes_a_typed_seed_options_and_action() -> None:
    options = ("--tool-arg", "seed=5", "--tool-arg", 'options={"max_steps": 3}')
    reset = await inspect_0_15("--method", "tools/call", "--tool-name", "reset", *options)
    assert not reset.get("isError"), reset
    action = '{"type": "tool_call", "tool_name": "echo", "parameters": {"message": "typed"}}'
    step = await inspect_0_15(
        "--method", "tools/call", "--tool-name", "step", "--tool-arg", f"action={action}"
    )
    assert not step.get("isError"), step
    assert step["structuredContent"]["text"] == "typed" and step["structuredContent"]["step_count"] == 1
