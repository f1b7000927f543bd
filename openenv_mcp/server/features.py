"""MCP beyond tools, for one environment server: prompts, resources, subscriptions, completion, logging.

The handlers here answer every request but tools' (env_server.py answers those), in both
eras. What they show follows the caller's view exactly as the tool list does (control, or
not: production and a token with only the tools scope); a view never varies by connection.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from mcp.server import ServerRequestContext
from mcp.types import (
    CompleteRequestParams,
    CompleteResult,
    GetPromptRequestParams,
    GetPromptResult,
    ListPromptsResult,
    ListResourcesResult,
    ListResourceTemplatesResult,
    PaginatedRequestParams,
    ReadResourceRequestParams,
    ReadResourceResult,
    SetLevelRequestParams,
    SubscribeRequestParams,
    SubscriptionsListenRequestParams,
    UnsubscribeRequestParams,
)

from openenv_mcp.server.completion import complete
from openenv_mcp.server.documents import rules_text
from openenv_mcp.server.events import EpisodeEvent, WatchedRegistry
from openenv_mcp.server.logs import EpisodeLog
from openenv_mcp.server.prompts import Prompts
from openenv_mcp.server.resources import EpisodeURI, ResourceSet
from openenv_mcp.server.subscriptions import Subscriptions

if TYPE_CHECKING:
    from mcp.server import Server

    from openenv_mcp.server.env_server import EnvServer

__all__ = ["McpFeatures"]

logger = logging.getLogger(__name__)

Ctx = ServerRequestContext[Any, Any]


class McpFeatures:
    """The prompts, resources, subscriptions, completion and logging of one `EnvServer`."""

    def __init__(self, server: EnvServer, registry: WatchedRegistry) -> None:
        self.server = server
        env_class = server.env_class
        self.log = EpisodeLog(env_class.name)
        self.prompts = Prompts(env_class, server.make_environment)
        self.resources = ResourceSet(env_class, registry, self._rules())
        self.subscriptions = Subscriptions(self._check_watch, self.resources.version)

    def _rules(self) -> dict[bool, str]:
        server = self.server
        views = {
            True: [*server.control.values(), *server.inner.values()],
            False: [*server.handles.values(), *server.inner.values()],
        }
        env_class = server.env_class
        return {control: rules_text(env_class, tools, control=control) for control, tools in views.items()}

    def tools_changed(self) -> None:
        """The server's tools changed: the rules resource tells of the new ones."""
        self.resources.rules = self._rules()

    def register(self, server: Server[Any]) -> None:
        """Serve these requests on `server` (the low-level SDK server)."""
        server.add_request_handler("prompts/list", PaginatedRequestParams, self.list_prompts)
        server.add_request_handler("prompts/get", GetPromptRequestParams, self.get_prompt)
        server.add_request_handler("resources/list", PaginatedRequestParams, self.list_resources)
        server.add_request_handler("resources/templates/list", PaginatedRequestParams, self.list_templates)
        server.add_request_handler("resources/read", ReadResourceRequestParams, self.read_resource)
        server.add_request_handler("completion/complete", CompleteRequestParams, self.complete)
        watch = self.subscriptions
        server.add_request_handler("resources/subscribe", SubscribeRequestParams, watch.subscribe)
        server.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, watch.unsubscribe)
        server.add_request_handler("subscriptions/listen", SubscriptionsListenRequestParams, watch.listen)
        # `logging/setLevel` is the handshake era's (2026-07-28 opts in per request, in `_meta`).
        server.add_request_handler("logging/setLevel", SetLevelRequestParams, self.log.set_level)

    async def list_prompts(self, ctx: Ctx, params: PaginatedRequestParams | None) -> ListPromptsResult:
        return ListPromptsResult(prompts=self.prompts.listed)

    async def get_prompt(self, ctx: Ctx, params: GetPromptRequestParams) -> GetPromptResult:
        control = self.server.caller(ctx).control
        return await self.prompts.get(params.name, params.arguments, control=control)

    async def list_resources(self, ctx: Ctx, params: PaginatedRequestParams | None) -> ListResourcesResult:
        return ListResourcesResult(resources=self.resources.listed[self.server.caller(ctx).control])

    async def list_templates(
        self, ctx: Ctx, params: PaginatedRequestParams | None
    ) -> ListResourceTemplatesResult:
        return ListResourceTemplatesResult(resource_templates=self.resources.templates)

    async def read_resource(self, ctx: Ctx, params: ReadResourceRequestParams) -> ReadResourceResult:
        return ReadResourceResult(contents=[self.resources.read(params.uri, self.server.caller(ctx))])

    async def complete(self, ctx: Ctx, params: CompleteRequestParams) -> CompleteResult:
        return complete(self.prompts, params)

    async def episode_event(self, event: EpisodeEvent) -> None:
        """An episode opened or closed: log it, and tell the watchers of a closed one's resources."""
        try:
            await self.log.emit(event)
            if event.kind != "opened":
                await self.subscriptions.flush()
        except Exception:  # the registry's caller must not fail for a client's notification
            logger.exception("telling clients that episode %s %s failed", event.episode_id, event.kind)

    def _check_watch(self, ctx: Ctx, uri: str) -> None:
        if EpisodeURI.parse(uri) is not None:
            self.resources.episode(uri, self.server.caller(ctx))
