"""One environment served as one MCP server: the tool list and the one dispatch path."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from enum import StrEnum
from typing import Any, cast

from mcp.server import Server, ServerRequestContext
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.models import InitializationOptions
from mcp.types import CallToolRequestParams, CallToolResult, ListToolsResult, PaginatedRequestParams, Tool

from openenv_mcp.environment import CodeActEnvironment, Environment, InnerTool
from openenv_mcp.episodes import Caller, RegistryLimits
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.sandbox import layers
from openenv_mcp.sandbox.provider import Backend, SandboxProvider, backend_factory
from openenv_mcp.schema import SchemaCheck
from openenv_mcp.server import handlers
from openenv_mcp.server.access import caller_of
from openenv_mcp.server.audit import audit
from openenv_mcp.server.control import META_ROLE, control_definitions
from openenv_mcp.server.events import EpisodeEvent, WatchedRegistry, in_call
from openenv_mcp.server.features import McpFeatures
from openenv_mcp.server.handles import HANDLES, handle_definitions
from openenv_mcp.server.listeners import ToolListeners
from openenv_mcp.server.metrics import Metrics
from openenv_mcp.server.progress import HEARTBEAT_SECONDS, asked_for_progress, heartbeat
from openenv_mcp.server.quotas import ClientQuotas, QuotaLimits, client_of
from openenv_mcp.server.render import error_result
from openenv_mcp.server.resolution import EpisodeResolver
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


class _Server(Server[Any]):
    """The SDK's server, announcing `tools.listChanged` to handshake-era clients where tools can change."""

    def __init__(self, tools_change: bool, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tools_change = tools_change

    def create_initialization_options(
        self,
        notification_options: NotificationOptions | None = None,
        experimental_capabilities: dict[str, dict[str, Any]] | None = None,
        extensions: dict[str, dict[str, Any]] | None = None,
    ) -> InitializationOptions:
        notification_options = notification_options or NotificationOptions(tools_changed=self._tools_change)
        return super().create_initialization_options(
            notification_options, experimental_capabilities, extensions
        )


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
        self._factory = factory or self._default_factory
        self.env_hooks: list[Callable[[Environment], object]] = []
        """Called on each environment an episode gets (rewards from outside attach here)."""
        self.registry = WatchedRegistry(self.make_environment, limits, self._episode_event)
        self.registry.prepare = self.prepare_environment
        self.progress_interval = HEARTBEAT_SECONDS
        """Seconds between progress notifications of a running call whose caller asked for them."""
        self.quotas = ClientQuotas(quotas)
        """Each client's live episodes and steps per second (off unless limits are given)."""
        self.episodes = EpisodeResolver(self.registry, self.quotas)
        """Which episode each call acts in."""
        self.episodes.process_scoped = process_scoped
        options = env_class.options_schema()
        accepts_code = issubclass(env_class, CodeActEnvironment)
        self.control = {
            d.name: d for d in control_definitions(env_class.name, options, accepts_code=accepts_code)
        }
        self.handles = {d.name: d for d in handle_definitions(env_class.name, options)}
        self.runtime_tools = env_class.lists_tools_at_runtime()
        """Whether the tools come from the environment's `list_tools` hook (listed before serving)."""
        self._listed: list[InnerTool] = list(env_class.inner_tools.values())
        self._schemas: dict[str, dict[str, Any]] = {}
        self._install_tools(self._listed)
        self.server: Server[Any] = _Server(
            self.runtime_tools,
            env_class.name,
            version="0.1.0",
            description=env_class.description or None,
            instructions=self._instructions(),
            lifespan=self._lifespan,
            on_list_tools=self._on_list_tools,
            on_call_tool=self._on_call_tool,
            # Mcp-Param header checks (2026-07-28 HTTP) look a schema up here instead of
            # running tools/list on every call: without it they cost ~40% of a step.
            get_tool_input_schema=self._schemas.get,
        )
        self.features = McpFeatures(self, self.registry)
        """Prompts, resources, subscriptions, completion and logging (features.py)."""
        self.features.register(self.server)
        self.tool_listeners = ToolListeners(self.features.subscriptions.bus)
        """Who hears `notifications/tools/list_changed`: sessions that listed tools, listen streams."""

    def _default_factory(self) -> Environment:
        if self.sandbox_provider is not None and issubclass(self.env_class, CodeActEnvironment):
            return self.env_class(self.sandbox_provider)
        return self.env_class()

    def make_environment(self) -> Environment:
        """A new environment as an episode gets it (the server's factory), with the server's tools."""
        return self.prepare_environment(self._factory())

    def prepare_environment(self, env: Environment) -> Environment:
        """The server's tools and hooks on an episode's environment (also on those a Ray provider makes)."""
        if self.runtime_tools:
            env.use_tools(self._listed)
        for hook in self.env_hooks:
            hook(env)
        return env

    def _install_tools(self, listed: Sequence[InnerTool]) -> None:
        """Build the tool views, argument checks and header schemas for the inner tools `listed`."""
        options = self.env_class.options_schema()
        self.inner = {t.name: _with_episode_id(t.definition) for t in listed}
        # Checked against the schemas that take code actions too: where none run, a code action is
        # a bad action, answered as a step (counted, penalised), not a malformed call.
        checked = {d.name: d for d in control_definitions(self.env_class.name, options)}
        self._checks = {
            name: SchemaCheck(d.input_schema) for name, d in {**checked, **self.handles, **self.inner}.items()
        }
        self._views = {True: self._list(control=True), False: self._list(control=False)}
        self.tools = self._views[self.training]
        """The tools this server lists to a caller without a token (its mode's view)."""
        seen = [self._views[False], *([self._views[True]] if self.training else [])]
        self._schemas.clear()
        self._schemas.update({tool.name: tool.input_schema for view in seen for tool in view})

    async def refresh_tools(self) -> bool:
        """List the tools again (`Environment.list_tools`, on an instance of the server's own).

        When they changed, the new list is what every caller sees from now on, the episodes
        opened from now on use it, and every listening client hears `tools/list_changed`.
        Returns whether they changed. A class without the hook never changes.
        """
        if not self.runtime_tools:
            return False
        about, listed = await self._list_tools()
        self.server.description = about or None
        self.server.instructions = self._instructions(about)
        if [t.definition for t in listed] == [t.definition for t in self._listed]:
            self._listed = listed
            return False
        self._listed = listed
        self._install_tools(listed)
        self.features.tools_changed()
        await self.tool_listeners.announce()
        return True

    async def _list_tools(self) -> tuple[str, list[InnerTool]]:
        """The about text and tools, from a probe instance, or where the provider's episodes live."""
        if self.registry.provider is not None:
            return await self.registry.provider.list_tools()  # checked by an instance there
        probe = self._factory()
        try:
            listed = list(await probe.list_tools())
            probe.use_tools(listed)  # the same checks (unique names) as an episode's
            return probe.about(), listed
        finally:
            await probe.close()

    @property
    def name(self) -> str:
        return self.env_class.name

    @property
    def training(self) -> bool:
        return self.mode is Mode.TRAINING

    def caller(self, ctx: ServerRequestContext[Any, Any]) -> Caller:
        """Who makes this call: its principal, and whether it sees the control tools."""
        return caller_of(ctx, training=self.training)

    def tools_for(self, caller: Caller) -> list[Tool]:
        """The tools `caller` sees: control and inner tools, or the handle tools and inner tools."""
        return self._views[caller.control]

    def _list(self, *, control: bool) -> list[Tool]:
        if control:
            tools = [d.to_mcp({META_ROLE: "control"}) for d in self.control.values()]
        else:
            tools = [d.to_mcp({META_ROLE: "handle"}) for d in self.handles.values()]
        return tools + [d.to_mcp({META_ROLE: "inner"}) for d in self.inner.values()]

    def _instructions(self, description: str | None = None) -> str:
        text = description or self.env_class.description or f"The {self.name} environment."
        if self.training:
            text += " Call reset to start an episode; inner tools act in it and each call is a step."
        else:
            text += (
                " Each tool call is a step of an episode. To keep one episode across calls, call "
                "open_episode and pass its episode_id; a session keeps one by itself."
            )
        return text

    @asynccontextmanager
    async def _lifespan(self, _server: Server[Any]) -> AsyncGenerator[dict[str, Any]]:
        async with AsyncExitStack() as stack:
            if self.sandbox_provider is not None:
                await stack.enter_async_context(self.sandbox_provider.running())
            await stack.enter_async_context(self.registry.running())
            stack.callback(self.features.subscriptions.close)
            if self.runtime_tools:
                await self.refresh_tools()
            yield {}

    async def aclose(self) -> None:
        """Close every episode, then what they shared; the transports call this when they stop serving.

        What episodes share (a started child server or remote) goes with the factory's `aclose()`
        where a factory was given, else with the class's `server_stopped()` classmethod, when
        either exists: never left to a timer or an exit handler.
        """
        await self.registry.close_all()
        shared = getattr(self._factory, "aclose", None) if self._factory != self._default_factory else None
        if shared is None:
            shared = getattr(self.env_class, "server_stopped", None)
        if callable(shared):
            await cast(Callable[[], Awaitable[None]], shared)()

    async def _on_list_tools(
        self, ctx: ServerRequestContext[Any, Any], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        if self.runtime_tools:
            self.tool_listeners.listed(ctx)
        return ListToolsResult(tools=self.tools_for(self.caller(ctx)))

    async def _on_call_tool(
        self, ctx: ServerRequestContext[Any, Any], params: CallToolRequestParams
    ) -> CallToolResult:
        with in_call(ctx):
            if asked_for_progress(ctx):
                async with heartbeat(ctx, params.name, interval=self.progress_interval):
                    result = await self._call(ctx, params)
            else:
                result = await self._call(ctx, params)
        await self.features.subscriptions.flush()
        return result

    async def _call(
        self, ctx: ServerRequestContext[Any, Any], params: CallToolRequestParams
    ) -> CallToolResult:
        name, arguments = params.name, dict(params.arguments or {})
        named = arguments.get("episode_id")
        caller = self.caller(ctx)
        try:
            handler = self._handler(name, arguments, caller)
            if handler is None:
                return await handlers.inner_tool(self, ctx, caller, name, arguments)
            result = await handler(self, ctx, caller, arguments)
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

    async def _episode_event(self, event: EpisodeEvent) -> None:
        await self.features.episode_event(event)

    def _handler(self, name: str, arguments: dict[str, Any], caller: Caller) -> handlers.Handler | None:
        """The handler of a control or handle tool the caller sees, its arguments checked; None: inner.

        An inner tool's arguments are checked inside its step.
        """
        if name in self.inner:
            return None
        handler = handlers.CONTROL.get(name) if caller.control else HANDLES.get(name)
        if handler is None:
            raise handlers.unknown_tool(self, name, caller)
        for key in [key for key, value in arguments.items() if value is None]:
            del arguments[key]  # every control and handle tool takes a null as an absent argument
        handlers.check_arguments(name, self._checks[name], arguments)
        return handler


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
