"""One environment served as one MCP server: the tool list and the one dispatch path."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from enum import StrEnum
from typing import Any

import anyio
from mcp.server import Server, ServerRequestContext
from mcp.types import CallToolRequestParams, CallToolResult, ListToolsResult, PaginatedRequestParams, Tool

from openenv_mcp.environment import CodeActEnvironment, Environment
from openenv_mcp.episodes import Episode, EpisodeRegistry, RegistryLimits
from openenv_mcp.errors import InvalidArgumentsError, NoDefaultEpisodeError, OpenEnvError
from openenv_mcp.sandbox import layers
from openenv_mcp.sandbox.provider import Backend, SandboxProvider, backend_factory
from openenv_mcp.schema import SchemaCheck
from openenv_mcp.server import handlers
from openenv_mcp.server.audit import audit
from openenv_mcp.server.control import META_ROLE, control_definitions
from openenv_mcp.server.metrics import Metrics
from openenv_mcp.server.quotas import ClientQuotas, QuotaLimits, client_of
from openenv_mcp.server.render import error_result
from openenv_mcp.server.scope import ConnectionScope, connection_scope
from openenv_mcp.spec import ToolDefinition

__all__ = ["EnvServer", "Mode"]

logger = logging.getLogger(__name__)

_EPISODE_PROPERTY: dict[str, Any] = {
    "anyOf": [{"type": "string"}, {"type": "null"}],
    "default": None,
    "description": "The episode to act in (from reset); optional where the connection has a default episode.",
}


class Mode(StrEnum):
    """`training` shows control tools and reports rewards; `production` hosts inner tools only."""

    TRAINING = "training"
    PRODUCTION = "production"


class EnvServer:
    """Serves one environment class over MCP, with an episode registry behind it."""

    def __init__(
        self,
        env_class: type[Environment],
        *,
        mode: Mode | str = Mode.TRAINING,
        limits: RegistryLimits | None = None,
        factory: Callable[[], Environment] | None = None,
        process_scoped: bool = False,
        sandbox: Backend = "bubblewrap",
        warm_pool: int = 2,
        allow_missing_layers: Sequence[str] = (),
        quotas: QuotaLimits | None = None,
    ) -> None:
        self.env_class = env_class
        self.mode = Mode(mode)
        self.metrics: Metrics | None = None
        """Where the step path counts and times steps, once an HTTP app serves this server."""
        self.sandbox_layers: layers.LayerReport | None = None
        """The sandbox's layers on this machine, for a CodeAct environment (see `openenv-mcp doctor`)."""
        if issubclass(env_class, CodeActEnvironment):
            production = self.mode is Mode.PRODUCTION
            self.sandbox_layers = layers.check(
                sandbox, production=production, allow_missing=allow_missing_layers
            )
        self.sandbox_provider = _provider(env_class, sandbox, warm_pool)
        self.registry = EpisodeRegistry(factory or self._default_factory, limits)
        self.registry.control_visible = self.training
        self.quotas = ClientQuotas(quotas)
        """Each client's live episodes and steps per second (off unless limits are given)."""
        self.process_scoped = process_scoped
        """True on stdio: the whole process is one client's connection."""
        self._process_scope = ConnectionScope()
        self.control = {d.name: d for d in control_definitions(env_class.name, env_class.options_schema())}
        self.inner = {d.name: _with_episode_id(d) for d in env_class.actions()}
        self._checks = {
            name: SchemaCheck(d.input_schema) for name, d in {**self.control, **self.inner}.items()
        }
        self.tools = self._list()
        schemas = {tool.name: tool.input_schema for tool in self.tools}
        self.server: Server[Any] = Server(
            env_class.name,
            version="0.1.0",
            description=env_class.description or None,
            instructions=self._instructions(),
            lifespan=self._lifespan,
            on_list_tools=self._on_list_tools,
            on_call_tool=self._on_call_tool,
            # Mcp-Param header checks (2026-07-28 HTTP) look a schema up here instead of
            # running tools/list on every call: without it they cost ~40% of a step.
            get_tool_input_schema=schemas.get,
        )

    def _default_factory(self) -> Environment:
        if self.sandbox_provider is not None and issubclass(self.env_class, CodeActEnvironment):
            return self.env_class(self.sandbox_provider)
        return self.env_class()

    @property
    def name(self) -> str:
        return self.env_class.name

    @property
    def training(self) -> bool:
        return self.mode is Mode.TRAINING

    def _list(self) -> list[Tool]:
        tools: list[Tool] = []
        if self.training:
            tools += [d.to_mcp({META_ROLE: "control"}) for d in self.control.values()]
        tools += [d.to_mcp({META_ROLE: "inner"}) for d in self.inner.values()]
        return tools

    def _instructions(self) -> str:
        text = self.env_class.description or f"The {self.name} environment."
        if self.training:
            text += " Call reset to start an episode; inner tools act in it and each call is a step."
        return text

    @asynccontextmanager
    async def _lifespan(self, _server: Server[Any]) -> AsyncGenerator[dict[str, Any]]:
        async with AsyncExitStack() as stack:
            if self.sandbox_provider is not None:
                await stack.enter_async_context(self.sandbox_provider.running())
            await stack.enter_async_context(self.registry.running())
            yield {}

    async def aclose(self) -> None:
        """Close every episode; the transports call this when they stop serving."""
        await self.registry.close_all()

    async def _on_list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        return ListToolsResult(tools=self.tools)

    async def _on_call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: CallToolRequestParams
    ) -> CallToolResult:
        name, arguments = params.name, dict(params.arguments or {})
        named = arguments.get("episode_id")
        try:
            self._validate(name, arguments)
            if name in self.inner:
                return await handlers.inner_tool(self, ctx, name, arguments)
            result = await handlers.CONTROL[name](self, ctx, arguments)
        except OpenEnvError as exc:
            if self.metrics is not None:
                self.metrics.refused(self.name, exc.kind)
            audit(self.name, name, client_of(ctx), exc.kind, named if isinstance(named, str) else None)
            return error_result(f"Error: {exc}", exc.kind)
        data: dict[str, Any] = result.structured_content or {}
        outcome = data.get("error_kind") or ("error" if result.is_error else "ok")
        episode = data.get("episode_id", named)
        audit(self.name, name, client_of(ctx), str(outcome), episode if isinstance(episode, str) else None)
        return result

    def _validate(self, name: str, arguments: dict[str, Any]) -> None:
        """Check a control tool's arguments; an inner tool's are checked inside its step."""
        if name in self.inner:
            return
        check = self._checks.get(name) if self.training else None
        if check is None:
            raise handlers.unknown_tool(self, name)
        handlers.check_arguments(name, check, arguments)

    # -- episodes for a call -------------------------------------------------------------

    def scope(self, ctx: ServerRequestContext[Any, Any]) -> ConnectionScope | None:
        """The connection's scope, or None when the call is stateless."""
        if self.process_scoped:
            return self._process_scope
        found = connection_scope(ctx)
        if found is None:
            return None
        scope, connection = found
        if not scope.registered:
            scope.registered = True
            connection.exit_stack.push_async_callback(self._close_scope, scope)
        return scope

    async def open_episode(
        self,
        ctx: ServerRequestContext[Any, Any],
        seed: int | None,
        options: dict[str, Any] | None,
        *,
        implicit: bool = False,
    ) -> tuple[Episode, Any]:
        """Open an episode and make it the connection's default.

        An implicit episode (opened by an inner tool call without a handle) closes with its
        connection; an episode opened by `reset` is a handle that lives until `close` or the
        idle TTL, and may be used from any connection.
        """
        scope = self.scope(ctx)
        client = client_of(ctx)
        self.quotas.check_episode(client, self.registry.is_live)
        episode, first = await self.registry.create(seed, options)
        self.quotas.opened(client, episode.id)
        if scope is not None:
            scope.default = episode.id
            if implicit:
                scope.implicit.add(episode.id)
        return episode, first

    async def episode_for(self, ctx: ServerRequestContext[Any, Any], episode_id: object) -> Episode:
        """The named episode, or the connection's default one (opened on first use)."""
        if isinstance(episode_id, str):
            return self.registry.get(episode_id)
        if episode_id is not None:
            raise InvalidArgumentsError(
                f"episode_id must be the string that reset returned; got {episode_id!r}"
            )
        scope = self.scope(ctx)
        if scope is None:
            raise NoDefaultEpisodeError(
                "this call is stateless (MCP 2026-07-28) and names no episode: "
                "call reset first and pass the episode_id it returns"
            )
        if scope.default is not None and scope.default in self.registry.ids():
            episode = self.registry.get(scope.default)
            if not self.training and (episode.env.terminated or episode.env.truncated):
                await episode.reset(None, None)  # production renews the connection's ended episode
            return episode
        episode, _ = await self.open_episode(ctx, None, None, implicit=True)
        return episode

    @asynccontextmanager
    async def episode_in_call(
        self, ctx: ServerRequestContext[Any, Any], episode_id: object
    ) -> AsyncGenerator[tuple[Episode, bool]]:
        """The episode an inner call acts in, and whether it lives for this call only.

        In production a stateless call (MCP 2026-07-28) that names no episode gets an episode
        of its own, closed when the call ends: nothing is left behind for the idle TTL to
        find, and no client can fill the capacity with calls.
        """
        if episode_id is None and not self.training and self.scope(ctx) is None:
            client = client_of(ctx)
            self.quotas.check_episode(client, self.registry.is_live)
            episode, _ = await self.registry.create()
            self.quotas.opened(client, episode.id)
            try:
                yield episode, True
            finally:
                with anyio.CancelScope(shield=True):
                    await self.registry.close(episode.id, "closed when its one call ended")
            return
        yield await self.episode_for(ctx, episode_id), False

    async def _close_scope(self, scope: ConnectionScope) -> None:
        for episode_id in list(scope.implicit):
            await self.registry.close(episode_id, "closed when its connection ended")
        scope.implicit.clear()


def _provider(env_class: type[Environment], backend: Backend, warm_pool: int) -> SandboxProvider | None:
    if not issubclass(env_class, CodeActEnvironment):
        return None
    specs, limits = env_class.code_tool_specs(), env_class.sandbox_limits
    factory, warmup = backend_factory(backend), env_class.sandbox_warmup
    return SandboxProvider(specs, limits, factory=factory, pool_size=warm_pool, warmup=warmup)


def _with_episode_id(definition: ToolDefinition) -> ToolDefinition:
    schema = dict(definition.input_schema)
    schema["properties"] = {**schema.get("properties", {}), "episode_id": _EPISODE_PROPERTY}
    return definition.model_copy(update={"input_schema": schema})
