"""`open_episode` and `close_episode`: how a caller without the control tools holds an episode.

MCP 2026-07-28 has no sessions: state that spans calls travels in a handle the server mints
and the client passes back as a tool argument (SEP-2567). Training gives trainers `reset`
and `close` for that; a production client, or a token with only the tools scope, sees neither,
so it gets these two instead: `open_episode` mints a handle and returns the episode's
briefing (its first observation, as `reset` does in training, without info or reward), and
`close_episode` gives the handle back. See rfcs/005-production-handles.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from openenv_mcp.episodes import Caller
from openenv_mcp.server.control import CloseOutput, model_schema, reset_input_schema
from openenv_mcp.server.render import observation_text, structured_result
from openenv_mcp.spec import ToolAnnotationsSpec, ToolDefinition
from openenv_mcp.spec.data import jsonable

if TYPE_CHECKING:
    from mcp.server import ServerRequestContext
    from mcp.types import CallToolResult

    from openenv_mcp.server.env_server import EnvServer

__all__ = ["HANDLES", "handle_definitions"]


class _OpenOutput(BaseModel):
    episode_id: str = Field(description="Pass this to every later call that should act in this episode.")
    observation: Any = None


class _CloseArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    episode_id: str = Field(description="The episode to close, as open_episode returned it.")


def handle_definitions(env_name: str, options_schema: dict[str, Any]) -> list[ToolDefinition]:
    """The two handle tools of an environment server."""
    open_schema = reset_input_schema(options_schema)
    del open_schema["properties"]["episode_id"]
    return [
        ToolDefinition(
            name="open_episode",
            description=f"Start a {env_name} episode that lasts across calls: returns its episode_id "
            "(pass it to every tool call that should act in it) and its briefing.",
            input_schema=open_schema,
            output_schema=model_schema(_OpenOutput, "serialization"),
            annotations=ToolAnnotationsSpec(title="Open episode", destructive=False, open_world=False),
        ),
        ToolDefinition(
            name="close_episode",
            description="Close an episode opened with open_episode and free everything it holds.",
            input_schema=model_schema(_CloseArguments),
            output_schema=model_schema(CloseOutput, "serialization"),
            annotations=ToolAnnotationsSpec(
                title="Close episode", destructive=True, idempotent=True, open_world=False
            ),
        ),
    ]


async def open_episode(
    server: EnvServer, ctx: ServerRequestContext[Any, Any], caller: Caller, arguments: dict[str, Any]
) -> CallToolResult:
    seed, options = arguments.get("seed"), arguments.get("options")
    episode, first = await server.episodes.open_episode(ctx, caller, seed, options)
    data = {"episode_id": episode.id, "observation": jsonable(first.observation)}
    text = f"episode_id: {episode.id}\n\n{observation_text(first.observation)}"
    return structured_result(data, text=text)


async def close_episode(
    server: EnvServer, ctx: ServerRequestContext[Any, Any], caller: Caller, arguments: dict[str, Any]
) -> CallToolResult:
    episode = server.registry.get(arguments["episode_id"], caller)
    await server.registry.close(episode.id)
    return structured_result({"episode_id": episode.id, "closed": True}, text=f"closed episode {episode.id}")


HANDLES = {"open_episode": open_episode, "close_episode": close_episode}
"""The handle tools' handlers, by name."""
