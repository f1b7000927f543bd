"""The bridge: a remote OpenEnv environment served as one of ours, each episode one OpenEnv session.

The tools come from the remote at runtime (`list_tools`), so one class serves every remote:
`OpenEnvBridgeEnvironment(config)` is one episode's environment, and
`OpenEnvBridgeEnvironment.factory(config)` makes environments that share one listing and one
started remote, as a server's episodes should. `OpenEnvBridgeEnvironment()` reads the remote
from $OPENENV_BRIDGE_URL, $OPENENV_BRIDGE_IMAGE or $OPENENV_BRIDGE_COMMAND.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, cast

from pydantic import BaseModel, ConfigDict

from openenv_mcp import Environment
from openenv_mcp.environment import ForwardedTool, InnerTool
from openenv_mcp.errors import ActionError, InvalidArgumentsError, UnknownToolError
from openenv_mcp.spec import ToolCallAction, ToolDefinition
from openenv_mcp_openenv_bridge.config import (
    COMMAND_VARIABLE,
    IMAGE_VARIABLE,
    TIMEOUT_VARIABLE,
    URL_VARIABLE,
    BridgeConfig,
)
from openenv_mcp_openenv_bridge.errors import RemoteFailedError, RemoteStartError
from openenv_mcp_openenv_bridge.observation import Envelope, RemoteObservation, RemoteResult
from openenv_mcp_openenv_bridge.runtime import (
    BridgeRuntime,
    close_default_runtime,
    default_runtime,
    open_session,
)
from openenv_mcp_openenv_bridge.session import Reply, Request, Session
from openenv_mcp_openenv_bridge.tools import RemoteTool

__all__ = ["BridgeFactory", "BridgeOptions", "OpenEnvBridgeEnvironment"]

logger = logging.getLogger(__name__)

_TOOL_ERRORS: dict[str, type[ActionError]] = {
    "tool_not_found": UnknownToolError,
    "invalid_args": InvalidArgumentsError,
}
"""OpenEnv's `ToolErrorType`s that have a kind of ours; the rest are plain action errors."""


class BridgeOptions(BaseModel):
    """Reset options pass to the remote's `reset` as they are (it keeps those its signature takes)."""

    model_config = ConfigDict(extra="allow")


class OpenEnvBridgeEnvironment(Environment[BridgeOptions, RemoteObservation]):
    """A remote OpenEnv environment's tools or action types behind the environment boundary."""

    name = "openenv_bridge"
    description = (
        "A remote OpenEnv environment as an MCP environment: its tools (or one per action type), "
        "its reward and its end; each episode is one OpenEnv session."
    )
    options_model = BridgeOptions
    config_variables = (URL_VARIABLE, IMAGE_VARIABLE, COMMAND_VARIABLE, TIMEOUT_VARIABLE)

    def __init__(self, config: BridgeConfig | BridgeRuntime | None = None) -> None:
        """An environment for `config` (a runtime shares one listing and remote); None: the variables'."""
        super().__init__()
        if config is None:
            self.bridge = default_runtime()
        else:
            self.bridge = config if isinstance(config, BridgeRuntime) else BridgeRuntime(config)
        self.session: Session | None = None
        self.remote_state: dict[str, Any] | None = None
        self.sessions_opened = 0
        self._holds_remote = False

    @classmethod
    def factory(cls, config: BridgeConfig) -> BridgeFactory:
        """Environments for `config` sharing one listing and one started remote (a server's).

        Serve them with `EnvServer(OpenEnvBridgeEnvironment, factory=...)`; `aclose()` the
        factory (or use it as an async context manager) to stop a remote it started.
        """
        return BridgeFactory(BridgeRuntime(config))

    @classmethod
    async def server_stopped(cls) -> None:
        """The server of the default configuration stops: so does a remote it started."""
        await close_default_runtime()

    def about(self) -> str:
        config = self.bridge.config
        if config is not None and config.description:
            return config.description
        if self.bridge.remote_name:
            return f"The OpenEnv environment {self.bridge.remote_name!r}, bridged: {self.description}"
        return self.description

    async def list_tools(self) -> Iterable[InnerTool]:
        """The remote's tools (listed once per runtime)."""
        return [remote.tool for remote in (await self.bridge.list_tools()).values()]

    # -- the episode -----------------------------------------------------------------------

    async def begin_episode(self, options: BridgeOptions) -> None:
        config, remote = self.bridge.ready()
        await self._end_session()
        try:
            if self._holds_remote:
                base_url = await remote.ensure()
            else:
                base_url = await remote.acquire()
                self._holds_remote = True
            self.session = await open_session(config, base_url)
        except RemoteFailedError as exc:
            raise RemoteStartError(str(exc)) from None
        self.sessions_opened += 1

    async def on_reset(self, options: BridgeOptions) -> RemoteObservation:
        data: dict[str, Any] = {**(options.model_extra or {}), "seed": self.seed}
        if self.episode_id:
            data["episode_id"] = self.episode_id
        try:
            replies = await self._exchange(Request("reset", data))
        except RemoteFailedError as exc:
            raise RemoteStartError(f"the remote failed on reset: {exc}") from None
        if replies[0].error:
            await self._end_session()
            raise RemoteStartError(f"the remote refused the reset: {replies[0].error}")
        envelope = self._envelope(replies[0])
        names = ", ".join(self.inner_tools) or "(none)"
        briefing = (
            f"Connected to the OpenEnv environment {self.bridge.remote_name!r} ({self.bridge.kind}). "
            f"Its tools: {names}. Each tool call is one step."
        )
        return RemoteObservation(observation=envelope.observation, briefing=briefing)

    async def forward_call(self, tool: ForwardedTool, arguments: dict[str, Any]) -> Any:
        remote = (self.bridge.tools or {}).get(tool.name)
        if remote is None or self.session is None:
            raise ActionError("no episode is running: call reset first")
        reply = (await self._exchange(Request("step", remote.action(arguments))))[0]
        if reply.error:
            kind = InvalidArgumentsError if "VALIDATION_ERROR" in reply.error else ActionError
            raise kind(f"the remote refused the action: {reply.error}")
        envelope = self._envelope(reply)
        self.add_reward(envelope.reward)
        if envelope.metadata:
            self.step_info["remote_metadata"] = envelope.metadata
        if envelope.done:
            self.end_episode(reason="the remote environment is done")
        return _answer(remote, envelope)

    def example_actions(self) -> list[ToolCallAction]:
        """An echo remote's call, for the conformance replay."""
        if "echo" in self.inner_tools:
            return [ToolCallAction(tool_name="echo", parameters={"message": "hello"})]
        return []

    def state_extra(self) -> dict[str, Any]:
        config = self.bridge.config
        return {
            "remote": config.remote if config else None,
            "remote_url": self.bridge.remote.base_url if self.bridge.remote else None,
            "kind": self.bridge.kind,
            "session": "open" if self.session is not None and self.session.usable else "none",
            "sessions_opened": self.sessions_opened,
            "remote_state": self.remote_state,
        }

    async def on_close(self) -> None:
        await self._end_session()
        if self._holds_remote and self.bridge.remote is not None:
            self._holds_remote = False
            await self.bridge.remote.release()

    # -- internals ------------------------------------------------------------------------

    async def _exchange(self, request: Request) -> list[Reply]:
        """The request's reply (and the state after it, when forwarded); a failure ends the episode."""
        session = self.session
        if session is None:
            raise RemoteFailedError("the session with the remote is over; call reset")
        forward_state = self.bridge.config is not None and self.bridge.config.forward_state
        requests = [request, Request("state")] if forward_state else [request]
        try:
            replies = await session.exchange(requests)
        except RemoteFailedError as exc:
            self._lost(str(exc))
            raise
        if len(replies) > 1 and not replies[1].error:
            self.remote_state = replies[1].data
        return replies

    def _envelope(self, reply: Reply) -> Envelope:
        try:
            return Envelope.parse(reply.data)
        except ValueError as exc:
            message = f"the remote answered garbage ({exc})"
            self._lost(message)
            raise RemoteFailedError(
                f"{message}; the session is closed, and a reset opens a new one"
            ) from None

    def _lost(self, why: str) -> None:
        """The session is gone: this episode is over (truncated), and says why."""
        session, self.session = self.session, None
        if session is not None and session.usable:
            session.drop(why)
        self.end_episode(truncated=True, reason=f"the remote failed: {why}")

    async def _end_session(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            await session.close()


def _answer(remote: RemoteTool, envelope: Envelope) -> RemoteObservation | RemoteResult:
    if remote.typed:
        return RemoteObservation(observation=envelope.observation)
    observation = envelope.observation
    error: Any = observation.get("error")
    if isinstance(error, dict):
        failure = cast(dict[str, Any], error)
        kind = _TOOL_ERRORS.get(str(failure.get("error_type")), ActionError)
        raise kind(f"the remote tool {remote.name!r} failed: {failure.get('message', failure)}")
    result = RemoteResult.parse(observation.get("result"))
    if result.is_error:
        raise ActionError(result.to_text() or f"the remote tool {remote.name!r} failed")
    return result


@dataclass(frozen=True)
class BridgeFactory:
    """Makes the environments of one configuration, all sharing its `runtime`; `aclose` stops its remote."""

    runtime: BridgeRuntime

    def __call__(self) -> OpenEnvBridgeEnvironment:
        return OpenEnvBridgeEnvironment(self.runtime)

    async def definitions(self) -> dict[str, ToolDefinition]:
        """The remote's tools' definitions by name (listing them now, unless listed before)."""
        return {name: tool.definition for name, tool in (await self.runtime.list_tools()).items()}

    async def aclose(self) -> None:
        await self.runtime.aclose()

    async def __aenter__(self) -> BridgeFactory:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
