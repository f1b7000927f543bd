"""Every kind of bad input answers an isError result that names the problem and the fix."""

from __future__ import annotations

from typing import Any

import anyio
import mcp
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp.client.results import error_kind
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import text
from openenv_mcp_echo import EchoEnvironment
from tests.conftest import connect

ECHO = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}}


async def new_episode(client: mcp.Client) -> str:
    result = await client.call_tool("reset", {"seed": 1})
    assert result.structured_content is not None
    return result.structured_content["episode_id"]


CASES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    ("unknown tool", "shout", {}, ["unknown tool 'shout'", "echo"]),
    ("missing argument", "echo", {}, ["'message' is a required property"]),
    ("mistyped argument", "echo", {"message": 42}, ["'message'", "42 is not of type 'string'"]),
    ("unexpected argument", "echo", {"message": "x", "volume": 11}, ["'volume' was unexpected"]),
    (
        "unknown episode",
        "echo",
        {"message": "x", "episode_id": "forged"},
        ["unknown episode 'forged'", "reset"],
    ),
    (
        "episode id of the wrong type",
        "echo",
        {"message": "x", "episode_id": 7},
        ["episode_id must be the string"],
    ),
    ("bad reset options", "reset", {"options": {"max_steps": "lots"}}, ["options.max_steps", "integer"]),
    ("unknown reset option", "reset", {"options": {"speed": 2}}, ["'speed' was unexpected"]),
    ("bad seed", "reset", {"seed": "abc"}, ["argument 'seed': \"abc\" is not of type 'integer'"]),
    ("fractional seed", "reset", {"seed": 1.5}, ["argument 'seed': 1.5 is not of type 'integer'"]),
    ("step without action", "step", {}, ["'action' is a required property"]),
    ("step with a bad action", "step", {"action": {"type": "dance"}}, ["action"]),
    ("state of a forged episode", "state", {"episode_id": "forged"}, ["unknown episode 'forged'"]),
    ("close of a forged episode", "close", {"episode_id": "forged"}, ["unknown episode 'forged'"]),
]

KINDS = {
    "unknown tool": "unknown_tool",
    "missing argument": "invalid_arguments",
    "mistyped argument": "invalid_arguments",
    "unexpected argument": "invalid_arguments",
    "unknown episode": "unknown_episode",
    "episode id of the wrong type": "invalid_arguments",
    "bad reset options": "invalid_arguments",
    "unknown reset option": "invalid_arguments",
    "bad seed": "invalid_arguments",
    "fractional seed": "invalid_arguments",
    "step without action": "invalid_arguments",
    "step with a bad action": "invalid_arguments",
    "state of a forged episode": "unknown_episode",
    "close of a forged episode": "unknown_episode",
}
"""The stable kind each case carries in `_meta` (what a client reads instead of the English)."""


@pytest.mark.parametrize(("case", "tool", "arguments", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_is_answered_and_nothing_else_notices(
    echo_server: EnvServer,
    era: ConnectMode,
    case: str,
    tool: str,
    arguments: dict[str, Any],
    expected: list[str],
) -> None:
    async with connect(echo_server, era) as client:
        target, bystander = await new_episode(client), await new_episode(client)
        if tool == "echo" and "episode_id" not in arguments:
            arguments = {**arguments, "episode_id": target}
        result = await client.call_tool(tool, arguments)
        assert result.is_error, f"{case}: accepted"
        for fragment in expected:
            assert fragment in text(result), f"{case}: {text(result)!r} lacks {fragment!r}"
        assert error_kind(result) == KINDS[case], f"{case}: {error_kind(result)}"
        after = await client.call_tool("step", {"episode_id": bystander, "action": ECHO})
        assert not after.is_error
        assert after.structured_content is not None and after.structured_content["step_count"] == 1


async def test_a_closed_episode_says_so(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        episode_id = await new_episode(client)
        await client.call_tool("close", {"episode_id": episode_id})
        result = await client.call_tool("echo", {"message": "x", "episode_id": episode_id})
        assert result.is_error and "was closed" in text(result) and "call reset" in text(result)
        assert error_kind(result) == "episode_closed"


async def test_an_expired_episode_says_so(era: ConnectMode) -> None:
    server = EnvServer(EchoEnvironment, limits=RegistryLimits(idle_ttl=0.05))
    async with connect(server, era) as client:
        episode_id = await new_episode(client)
        with anyio.fail_after(5):
            while server.registry.live:
                await anyio.sleep(0.02)
        result = await client.call_tool("echo", {"message": "x", "episode_id": episode_id})
        assert result.is_error and "idle TTL" in text(result)


async def test_a_step_after_the_end_says_to_reset(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        result = await client.call_tool("reset", {"options": {"max_steps": 1}})
        assert result.structured_content is not None
        episode_id = result.structured_content["episode_id"]
        await client.call_tool("step", {"episode_id": episode_id, "action": ECHO})
        late = await client.call_tool("step", {"episode_id": episode_id, "action": ECHO})
        assert late.is_error and "the episode has ended" in text(late)
        assert late.structured_content is not None and late.structured_content["truncated"]


async def test_a_code_action_on_a_tool_only_environment(echo_server: EnvServer, era: ConnectMode) -> None:
    async with connect(echo_server, era) as client:
        episode_id = await new_episode(client)
        code = {"type": "code", "code": "print(1)"}
        result = await client.call_tool("step", {"episode_id": episode_id, "action": code})
        assert result.is_error and "does not accept code actions" in text(result)


async def test_a_huge_bad_value_is_not_echoed_back_whole(echo_server: EnvServer) -> None:
    """A 50,000-number list where a string belongs: the answer names the problem in a few hundred chars."""
    async with connect(echo_server, "2026-07-28") as client:
        reset = await client.call_tool("reset", {})
        data: dict[str, Any] = reset.structured_content or {}
        answer = await client.call_tool(
            "echo", {"message": list(range(50_000)), "episode_id": data["episode_id"]}
        )
    assert answer.is_error and "'message'" in text(answer) and len(text(answer)) < 1_000
