"""Handlers of the control tools and of every inner tool, all through `Episode.step`."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
from mcp.server import ServerRequestContext
from mcp.types import CallToolResult
from pydantic import ValidationError

from openenv_mcp.episodes import START_OVER, Caller, in_batch
from openenv_mcp.errors import (
    ActionError,
    EpisodeEndedError,
    InvalidArgumentsError,
    OpenEnvError,
    UnknownToolError,
)
from openenv_mcp.schema import SchemaCheck
from openenv_mcp.server.control import META_ERROR, META_STEP
from openenv_mcp.server.quotas import client_of
from openenv_mcp.server.render import error_result, observation_text, structured_result, tool_result
from openenv_mcp.server.tracing import step_span
from openenv_mcp.spec import ACTION_ADAPTER, StepResult, ToolCallAction
from openenv_mcp.spec.data import jsonable

if TYPE_CHECKING:
    from openenv_mcp.server.env_server import EnvServer

__all__ = ["CONTROL", "Handler", "check_arguments", "inner_tool", "unknown_tool"]

Ctx = ServerRequestContext[Any, Any]


def unknown_tool(server: EnvServer, name: str, caller: Caller) -> UnknownToolError:
    """The error for a tool the caller cannot see, naming only the tools it can."""
    known = ", ".join(t.name for t in server.tools_for(caller))
    return UnknownToolError(f"unknown tool {name!r}; this server's tools are: {known}")


def check_arguments(name: str, check: SchemaCheck, arguments: dict[str, Any]) -> None:
    """Validate arguments against a tool's input schema (the SDK does not)."""
    problems = check.problems(arguments)
    if problems:
        raise InvalidArgumentsError(f"invalid arguments for tool {name!r}: " + "; ".join(problems))


async def inner_tool(
    server: EnvServer, ctx: Ctx, caller: Caller, name: str, arguments: dict[str, Any]
) -> CallToolResult:
    """An inner tool call: one step of its episode, rendered for the agent."""
    client = client_of(ctx)
    server.quotas.check_step(client)
    async with server.episodes.episode_in_call(ctx, caller, arguments.pop("episode_id", None)) as call:
        episode = call.episode
        began = time.perf_counter()
        with step_span(server.name, name, episode.id, client) as span:
            result = await episode.step(ToolCallAction(tool_name=name, parameters=arguments))
            span.set_attribute("openenv.outcome", result.error_kind or "ok")
        _record(server, name, result, began)
        step_meta = _step_meta(caller, episode.id, episode.env.step_count, result)
        structured = (
            None if result.error is not None else episode.env.inner_tools[name].structure(result.observation)
        )
    if call.one_call:
        step_meta["one_call"] = True  # the episode closed with the call: there is no handle to keep
    meta = {META_STEP: step_meta}
    text = observation_text(result.observation)
    if result.error_kind == EpisodeEndedError.kind and not caller.control:
        text = f"Error: this episode has ended and takes no more calls; {START_OVER}"
    if call.first is not None:
        # The episode opened (or started over) for this call: its briefing was never shown.
        text = f"{observation_text(call.first.observation)}\n\n{text}"
    if result.error is not None:
        return error_result(text, result.error_kind or ActionError.kind, meta)
    return tool_result(text, structured, meta=meta)


def _record(server: EnvServer, tool: str, result: StepResult, began: float) -> None:
    if server.metrics is not None:
        server.metrics.step(server.name, tool, result.error_kind or "ok", time.perf_counter() - began)


def _step_meta(caller: Caller, episode_id: str, step_count: int, result: StepResult) -> dict[str, Any]:
    meta: dict[str, Any] = {"episode_id": episode_id, "step_count": step_count}
    if caller.control:
        meta.update(
            reward=result.reward,
            terminated=result.terminated,
            truncated=result.truncated,
            info=jsonable(result.info) if result.info else {},
        )
    return meta


async def reset(server: EnvServer, ctx: Ctx, caller: Caller, arguments: dict[str, Any]) -> CallToolResult:
    seed, options, episode_id = arguments.get("seed"), arguments.get("options"), arguments.get("episode_id")
    if episode_id is not None:
        episode = server.registry.get(episode_id, caller)
        first = await episode.reset(seed, options)
    else:
        episode, first = await server.episodes.open_episode(ctx, caller, seed, options)
    data = {
        "episode_id": episode.id,
        "observation": jsonable(first.observation),
        "info": jsonable(first.info),
    }
    text = f"episode_id: {episode.id}\n\n{observation_text(first.observation)}"
    return structured_result(data, text=text)


async def step(server: EnvServer, ctx: Ctx, caller: Caller, arguments: dict[str, Any]) -> CallToolResult:
    data, _ = await _step(server, ctx, caller, arguments)
    ended = " (terminated)" if data["terminated"] else " (truncated)" if data["truncated"] else ""
    summary = f"reward {data['reward']:g}, step {data['step_count']}{ended}"
    failed = data["error"] is not None
    meta = {META_ERROR: {"kind": data["error_kind"] or ActionError.kind}} if failed else None
    return structured_result(data, text=f"{data['text']}\n\n[{summary}]", is_error=failed, meta=meta)


async def _step(
    server: EnvServer, ctx: Ctx, caller: Caller, arguments: dict[str, Any]
) -> tuple[dict[str, Any], StepResult]:
    try:
        action = ACTION_ADAPTER.validate_python(arguments["action"])
    except ValidationError as exc:
        raise InvalidArgumentsError(f"invalid action: {_pydantic_problems(exc)}") from exc
    episode = await server.episodes.episode_for(ctx, caller, arguments.get("episode_id"))
    client = client_of(ctx)
    server.quotas.check_step(client)
    tool = action.tool_name if isinstance(action, ToolCallAction) else "code"
    began = time.perf_counter()
    with step_span(server.name, tool, episode.id, client) as span:
        result = await episode.step(action)
        span.set_attribute("openenv.outcome", result.error_kind or "ok")
    _record(server, tool, result, began)
    data: dict[str, Any] = {
        "episode_id": episode.id,
        "observation": jsonable(result.observation),
        "reward": result.reward,
        "terminated": result.terminated,
        "truncated": result.truncated,
        "step_count": episode.env.step_count,
        "info": jsonable(result.info),
        "error": result.error,
        "error_kind": result.error_kind,
        "text": observation_text(result.observation),
    }
    return data, result


async def step_batch(
    server: EnvServer, ctx: Ctx, caller: Caller, arguments: dict[str, Any]
) -> CallToolResult:
    """Many episodes' steps in one call, concurrently; one entry's failure is that entry's."""
    entries: list[dict[str, Any]] = arguments["steps"]
    results: list[dict[str, Any]] = [{} for _ in entries]
    seen: set[str] = set()

    async def one(index: int, entry: dict[str, Any]) -> None:
        try:
            data, _ = await _step(server, ctx, caller, entry)
            results[index] = data
        except OpenEnvError as exc:
            failure = {"episode_id": entry["episode_id"], "failed": True, "error": f"Error: {exc}"}
            results[index] = {**failure, "error_kind": exc.kind}

    with in_batch():  # a provider may send these steps together (Ray: one call per host)
        async with anyio.create_task_group() as tg:
            for index, entry in enumerate(entries):
                if entry["episode_id"] in seen:
                    message = (
                        "Error: this episode already has a step in this batch; send one step per episode"
                    )
                    failure = {"episode_id": entry["episode_id"], "failed": True, "error": message}
                    results[index] = {**failure, "error_kind": InvalidArgumentsError.kind}
                    continue
                seen.add(entry["episode_id"])
                tg.start_soon(one, index, entry)
    return structured_result({"results": results}, text=f"{len(entries)} steps")


async def state(server: EnvServer, ctx: Ctx, caller: Caller, arguments: dict[str, Any]) -> CallToolResult:
    episode = await server.episodes.episode_for(ctx, caller, arguments.get("episode_id"))
    data = jsonable(episode.env.state())
    return structured_result(data, text=json.dumps(data, indent=2))


async def close(server: EnvServer, ctx: Ctx, caller: Caller, arguments: dict[str, Any]) -> CallToolResult:
    episode = await server.episodes.episode_for(ctx, caller, arguments.get("episode_id"))
    await server.registry.close(episode.id)
    return structured_result({"episode_id": episode.id, "closed": True}, text=f"closed episode {episode.id}")


def _pydantic_problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'action'}: {e['msg']}" for e in exc.errors())


Handler = Callable[["EnvServer", Ctx, Caller, dict[str, Any]], Awaitable[CallToolResult]]
"""A control or handle tool's handler."""

CONTROL: dict[str, Handler] = {
    "reset": reset,
    "step": step,
    "step_batch": step_batch,
    "state": state,
    "close": close,
}
