"""The audit log: a JSON line per control action and refused call, none for the agent's own calls."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import anyio

from openenv_mcp.server import EnvServer
from openenv_mcp.server.audit import AUDIT_LOGGER, log_to
from openenv_mcp_echo import EchoEnvironment
from tests.conftest import connect

ECHO = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}}


async def test_control_actions_and_refusals_are_audited(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    handler = log_to(path)
    try:
        with anyio.fail_after(30):
            async with connect(EnvServer(EchoEnvironment), "2026-07-28") as client:
                reset = await client.call_tool("reset", {"seed": 1})
                assert reset.structured_content is not None
                episode = reset.structured_content["episode_id"]
                await client.call_tool("echo", {"message": "the agent's own call", "episode_id": episode})
                await client.call_tool("step", {"episode_id": episode, "action": ECHO})
                await client.call_tool("state", {"episode_id": "forged"})
                await client.call_tool("close", {"episode_id": episode})
    finally:
        logging.getLogger(AUDIT_LOGGER).removeHandler(handler)
        handler.close()
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["tool"], e["outcome"]) for e in entries] == [
        ("reset", "ok"),
        ("step", "ok"),
        ("state", "unknown_episode"),
        ("close", "ok"),
    ]
    assert all(e["env"] == "echo" and e["client"] == "local" and e["time"] > 0 for e in entries)
    assert entries[0]["episode_id"] == episode and entries[2]["episode_id"] == "forged"
