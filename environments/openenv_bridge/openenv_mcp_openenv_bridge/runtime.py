"""What the episodes of one bridge configuration share: the remote, its kind and its tools, listed once."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Literal, cast

import httpx2

from openenv_mcp_openenv_bridge.config import BridgeConfig, config_from_env, how_to_configure
from openenv_mcp_openenv_bridge.errors import RemoteStartError, RemoteUnconfiguredError
from openenv_mcp_openenv_bridge.observation import Envelope
from openenv_mcp_openenv_bridge.remote import SharedRemote
from openenv_mcp_openenv_bridge.session import Request, Session
from openenv_mcp_openenv_bridge.tools import RemoteTool, action_tools, is_mcp_schema, mcp_tools

__all__ = ["BridgeRuntime", "close_default_runtime", "default_runtime", "open_session"]

logger = logging.getLogger(__name__)


async def open_session(config: BridgeConfig, base_url: str) -> Session:
    """A new OpenEnv session at `base_url`, with the configuration's timeouts."""
    return await Session.open(
        base_url,
        connect_timeout=config.connect_timeout,
        reply_timeout=config.reply_timeout,
        close_timeout=config.close_timeout,
        max_size=config.max_frame_bytes,
    )


@dataclass
class BridgeRuntime:
    """One configuration's shared state; `error` says why the bridge cannot serve, when it cannot."""

    config: BridgeConfig | None
    error: str | None = None
    remote: SharedRemote | None = field(init=False, default=None)
    tools: dict[str, RemoteTool] | None = field(init=False, default=None)
    """The remote's tools, once listed."""
    kind: Literal["mcp", "typed"] | None = field(init=False, default=None)
    remote_name: str | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.config is not None:
            self.remote = SharedRemote(self.config)
        elif self.error is None:
            self.error = how_to_configure()

    def ready(self) -> tuple[BridgeConfig, SharedRemote]:
        """The configuration and remote; a `RemoteStartError` saying why when the bridge cannot serve."""
        if self.config is None or self.remote is None:
            raise RemoteUnconfiguredError(self.error or how_to_configure())
        if self.error is not None:
            raise RemoteStartError(
                f"the OpenEnv bridge cannot reach its remote {self.config.remote!r}: {self.error}"
            )
        return self.config, self.remote

    async def list_tools(self) -> dict[str, RemoteTool]:
        """The remote's tools, listed once (a started remote started for it). A failure leaves none."""
        if self.tools is not None:
            return self.tools
        if self.config is None or self.remote is None or self.error is not None:
            logger.warning("openenv_bridge serves no tools: %s", self.error)
            self.tools = {}
            return self.tools
        try:
            self.tools = await self._list(self.config, self.remote)
        except Exception as exc:  # served with no tools: every reset then says why
            logger.warning("openenv_bridge cannot list the tools of %s: %s", self.config.remote, exc)
            self.error, self.tools = str(exc), {}
        return self.tools

    async def aclose(self) -> None:
        """Stop a remote the bridge started."""
        if self.remote is not None:
            await self.remote.aclose()

    async def _list(self, config: BridgeConfig, remote: SharedRemote) -> dict[str, RemoteTool]:
        base_url = await remote.acquire()
        try:
            schema, metadata = await _describe(config, base_url)
            self.remote_name = config.name or str(metadata.get("name") or base_url)
            mcp = config.kind == "mcp" or (config.kind == "auto" and is_mcp_schema(schema))
            self.kind = "mcp" if mcp else "typed"
            if not mcp:
                return action_tools(schema)
            return mcp_tools(await _list_mcp_tools(config, base_url))
        finally:
            await remote.release()


async def _describe(config: BridgeConfig, base_url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The remote's action schema (`GET /schema`) and metadata (`GET /metadata`, optional)."""
    async with httpx2.AsyncClient(base_url=base_url, timeout=config.connect_timeout, trust_env=False) as http:
        try:
            response = await http.get("/schema")
            response.raise_for_status()
            body: Any = response.json()
        except (httpx2.HTTPError, ValueError) as exc:
            raise RemoteStartError(f"GET {base_url}/schema failed ({type(exc).__name__}: {exc})") from None
        if not isinstance(body, dict) or not isinstance(cast(dict[str, Any], body).get("action"), dict):
            raise RemoteStartError(f"GET {base_url}/schema gave no action schema: {body!r:.200}")
        try:
            metadata: Any = (await http.get("/metadata")).json()
        except (httpx2.HTTPError, ValueError):
            metadata = {}
    action = cast(dict[str, Any], cast(dict[str, Any], body)["action"])
    return action, cast(dict[str, Any], metadata) if isinstance(metadata, dict) else {}


async def _list_mcp_tools(config: BridgeConfig, base_url: str) -> list[dict[str, Any]]:
    session = await open_session(config, base_url)
    try:
        reply = await session.request(Request("step", {"type": "list_tools"}))
    finally:
        await session.close()
    if reply.error:
        raise RemoteStartError(f"the remote refused list_tools: {reply.error}")
    try:
        listed: Any = Envelope.parse(reply.data).observation.get("tools")
    except ValueError as exc:
        raise RemoteStartError(f"the remote's list_tools answer is malformed: {exc}") from None
    if not isinstance(listed, list):
        raise RemoteStartError(f"the remote's list_tools answer has no tools: {reply.data!r:.200}")
    return [cast(dict[str, Any], entry) for entry in cast(list[Any], listed) if isinstance(entry, dict)]


def default_runtime() -> BridgeRuntime:
    """The entry point's runtime, from $OPENENV_BRIDGE_URL, _IMAGE or _COMMAND; one per process."""
    global _default
    if _default is None:
        try:
            config = config_from_env(os.environ)
        except Exception as exc:  # a malformed variable: served with no tools, resets say why
            logger.warning("openenv_bridge has no usable configuration: %s", exc)
            _default = BridgeRuntime(None, error=f"{exc}; {how_to_configure()}")
        else:
            _default = BridgeRuntime(config)
    return _default


_default: BridgeRuntime | None = None


async def close_default_runtime() -> None:
    """Stop the default configuration's remote, if one started (its server stops)."""
    global _default
    runtime, _default = _default, None
    if runtime is not None:
        await runtime.aclose()
