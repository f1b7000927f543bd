"""`check_server`: whole episodes of an environment played over MCP, in training and in production.

    await check_server(EchoEnvironment)

`check_environment` checks the class; this checks what a client meets. In training: the
tools listed with their roles, `reset`, the environment's example actions as inner tool
calls with rewards in `_meta`, an ended episode answered with kind `episode_ended`, `state`
and `close`. In production: no control tool and no reward anywhere, `open_episode` with the
briefing, the same actions by handle, an ended episode whose answer names only tools the
client can see, `close_episode`, and calls without a handle that leave no episode behind.
Both protocol eras, in memory. Raises `ConformanceError` naming what broke.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import mcp
from mcp.client.client import ConnectMode

from openenv_mcp.conformance import ConformanceError, plain_arguments
from openenv_mcp.environment import Environment
from openenv_mcp.server import META_ROLE, EnvServer, Mode
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.testing.results import error_kind, step_meta, structured, text

__all__ = ["check_server"]

CONTROL = ["reset", "step", "step_batch", "state", "close"]
HANDLES = ["open_episode", "close_episode"]
_HIDDEN = re.compile(r"\b(reset|step_batch)\b")
_SEED = 1234


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


async def _example_calls(env_class: type[Environment]) -> list[ToolCallAction]:
    """The environment's example tool calls under the check's seed, else each tool's plainest call."""
    env = env_class()
    try:
        await env.reset(seed=_SEED)
        examples: list[object] = list(getattr(env, "example_actions", list)())
        actions = [a for a in examples if isinstance(a, ToolCallAction)]
        definitions = env.definitions()
    finally:
        await env.close()
    plain = [
        ToolCallAction(tool_name=d.name, parameters=plain_arguments(d.input_schema)) for d in definitions
    ]
    _require(bool(actions or plain), f"{env_class.name}: no tool call to play over MCP")
    return actions or plain


async def _check_roles(client: mcp.Client, server: EnvServer, visible: list[str]) -> None:
    listed = (await client.list_tools()).tools
    inner = list(server.inner)
    names = [tool.name for tool in listed]
    _require(names == visible + inner, f"tools/list gives {names}, expected {visible + inner}")
    for tool in listed:
        role = (tool.meta or {}).get(META_ROLE)
        expected = "inner" if tool.name in inner else "control" if tool.name in CONTROL else "handle"
        _require(role == expected, f"tool {tool.name!r} has role {role!r}, not {expected!r}")


async def _play(
    client: mcp.Client, actions: Sequence[ToolCallAction], episode: str, *, training: bool
) -> dict[str, Any]:
    """Play `actions` by handle until the episode ends; the last step entry."""
    last: dict[str, Any] = {}
    worked, answer = 0, ""
    for number, action in enumerate(actions, start=1):
        result = await client.call_tool(action.tool_name, {**action.parameters, "episode_id": episode})
        worked += not result.is_error
        answer, last = text(result), step_meta(result)
        _require(last["episode_id"] == episode, f"step {number} acted in {last['episode_id']}, not {episode}")
        _require(last["step_count"] == number, f"step {number} was counted as {last['step_count']}")
        hidden = {"reward", "terminated", "truncated", "info"} & set(last)
        if training:
            _require(
                not {"reward", "terminated", "truncated"} - set(last), f"step {number} reports no reward"
            )
        else:
            _require(not hidden, f"production step {number} reports {sorted(hidden)}")
        if training and (last["terminated"] or last["truncated"]):
            break
    _require(worked > 0, f"no example action worked over MCP (the last answered: {answer})")
    return last


async def _check_ended(client: mcp.Client, action: ToolCallAction, episode: str, *, training: bool) -> None:
    after = await client.call_tool(action.tool_name, {**action.parameters, "episode_id": episode})
    _require(
        after.is_error and error_kind(after) == "episode_ended", "a call after the end is not episode_ended"
    )
    if not training:
        _require(
            not _HIDDEN.search(text(after)), f"production's ended answer names a hidden tool: {text(after)}"
        )
        _require("open_episode" in text(after), f"production's ended answer offers no way on: {text(after)}")


async def _training(
    client: mcp.Client, server: EnvServer, era: ConnectMode, actions: list[ToolCallAction]
) -> None:
    await _check_roles(client, server, CONTROL)
    options = {"max_steps": len(actions)}
    reset = await client.call_tool("reset", {"seed": _SEED, "options": options})
    _require(not reset.is_error, f"reset failed: {text(reset)}")
    episode = str(structured(reset)["episode_id"])
    last = await _play(client, actions, episode, training=True)
    _require(last["terminated"] or last["truncated"], f"max_steps={len(actions)} did not end the episode")
    await _check_ended(client, actions[0], episode, training=True)
    state = structured(await client.call_tool("state", {"episode_id": episode}))
    _require(state["step_count"] == last["step_count"], "state's step_count disagrees with the steps")
    closed = await client.call_tool("close", {"episode_id": episode})
    _require(not closed.is_error, f"close failed: {text(closed)}")
    gone = await client.call_tool(actions[0].tool_name, {**actions[0].parameters, "episode_id": episode})
    _require(error_kind(gone) == "episode_closed", f"a closed episode answers {error_kind(gone)}")


async def _production(
    client: mcp.Client, server: EnvServer, era: ConnectMode, actions: list[ToolCallAction]
) -> None:
    await _check_roles(client, server, HANDLES)
    opened = await client.call_tool("open_episode", {"seed": _SEED, "options": {"max_steps": len(actions)}})
    _require(not opened.is_error, f"open_episode failed: {text(opened)}")
    data = structured(opened)
    _require(set(data) == {"episode_id", "observation"}, f"open_episode reveals {sorted(data)}")
    _require(bool(text(opened).split("\n\n", 1)[-1].strip()), "open_episode shows no briefing")
    episode = str(data["episode_id"])
    await _play(client, actions, episode, training=False)
    await _check_ended(client, actions[0], episode, training=False)
    closed = await client.call_tool("close_episode", {"episode_id": episode})
    _require(not closed.is_error, f"close_episode failed: {text(closed)}")
    refused = await client.call_tool("reset", {})
    _require(error_kind(refused) == "unknown_tool", "production answers reset")
    _require(not _HIDDEN.search(text(refused).split(":")[-1]), "production's tool list names reset")
    before = server.registry.live
    loose = await client.call_tool(actions[0].tool_name, dict(actions[0].parameters))
    _require(not loose.is_error, f"a call without a handle failed: {text(loose)}")
    if era == "2026-07-28":
        _require(
            step_meta(loose).get("one_call") is True, "a stateless call without a handle kept its episode"
        )
        _require(server.registry.live == before, "a stateless call without a handle left an episode behind")


async def check_server(
    env_class: type[Environment], *, eras: Sequence[ConnectMode] = ("legacy", "2026-07-28")
) -> None:
    """Play whole episodes of `env_class` over MCP in both modes and `eras`; raises `ConformanceError`."""
    actions = await _example_calls(env_class)
    for era in eras:
        for mode, play in ((Mode.TRAINING, _training), (Mode.PRODUCTION, _production)):
            server = EnvServer(env_class, mode=mode, warm_pool=0)
            failure: ConformanceError | None = None
            try:
                async with mcp.Client(server.server, mode=era, read_timeout_seconds=60) as client:
                    try:
                        await play(client, server, era, actions)
                    except ConformanceError as exc:
                        failure = exc  # raised outside the client, whose task group would wrap it
            finally:
                await server.aclose()
            if failure is not None:
                raise ConformanceError(f"{env_class.name}, {mode.value}, {era}: {failure}") from failure
