"""What the episodes of one proxy configuration share: its tools, reward hook and shared child."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from openenv_mcp.errors import DefinitionError
from openenv_mcp_mcp_proxy.child import ChildConnection
from openenv_mcp_mcp_proxy.config import ProxyConfig, default_config
from openenv_mcp_mcp_proxy.observation import ChildResult
from openenv_mcp_mcp_proxy.redact import Redactor
from openenv_mcp_mcp_proxy.tools import ChildTool, child_tools, fetch_tools

__all__ = ["ProxyRuntime", "RewardHook", "SharedChild", "default_runtime", "load_reward_hook"]

logger = logging.getLogger(__name__)

RewardHook = Callable[[str, dict[str, Any], ChildResult], float]
"""`hook(child_tool_name, arguments, result) -> reward` for every call the child answered."""


def load_reward_hook(path: str) -> RewardHook:
    """The callable at a dotted path, `package.module.function` or `package.module:function`.

    >>> load_reward_hook("operator.not_")  # doctest: +ELLIPSIS
    <built-in function not_>
    """
    module_name, _, attr = path.replace(":", ".").rpartition(".")
    try:
        found: Any = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise DefinitionError(f"reward hook {path!r} cannot be imported: {exc}") from exc
    if not callable(found):
        raise DefinitionError(f"reward hook {path!r} is not callable")
    return cast(RewardHook, found)


class SharedChild:
    """One child for every episode of a class: started on first use, stopped when the last one leaves."""

    def __init__(self, config: ProxyConfig, redactor: Redactor) -> None:
        self.config = config
        self.redactor = redactor
        self.connection: ChildConnection | None = None
        self.users = 0

    def acquire(self) -> ChildConnection:
        if self.connection is None:
            self.connection = ChildConnection(self.config, self.redactor)
        self.users += 1
        return self.connection

    async def release(self) -> None:
        self.users -= 1
        if self.users <= 0 and self.connection is not None:
            connection, self.connection, self.users = self.connection, None, 0
            await connection.stop()


@dataclass
class ProxyRuntime:
    """One configuration's shared state; `error` says why its child is unusable, when it is."""

    config: ProxyConfig | None
    error: str | None = None
    redactor: Redactor = field(init=False)
    reward: RewardHook | None = field(init=False, default=None)
    shared: SharedChild | None = field(init=False, default=None)
    tools: dict[str, ChildTool] | None = field(init=False, default=None)
    """The child's tools as inner tools, once listed."""

    def __post_init__(self) -> None:
        self.redactor = Redactor(self.config.secrets() if self.config else [])
        if self.config is not None:
            self.shared = SharedChild(self.config, self.redactor)
            if self.config.reward:
                self.reward = load_reward_hook(self.config.reward)

    async def list_tools(self) -> dict[str, ChildTool]:
        """The child's tools, listed once (the child started and stopped for it).

        A child that cannot start or list leaves the proxy with no tools; every reset then
        says why. An allow or deny list naming tools the child lacks is a `DefinitionError`.
        """
        if self.tools is not None:
            return self.tools
        config = self.config
        if config is None or self.error is not None:
            self.tools = {}
            return self.tools
        try:
            listed = await fetch_tools(config)
        except Exception as exc:  # served with no tools: every reset then says why
            logger.warning("mcp_proxy %r has no child server: %s", config.name, exc)
            self.error, self.tools = str(exc), {}
            return self.tools
        self.tools = child_tools(config.name, listed, config.allow, config.deny, self.redactor)
        return self.tools


def default_runtime() -> ProxyRuntime:
    """The default configuration's runtime ($OPENENV_MCP_PROXY_CONFIG, else the toolbox), one per process."""
    global _default
    if _default is None:
        try:
            _default = ProxyRuntime(default_config())
        except Exception as exc:  # a broken configuration file: served with no tools, resets say why
            logger.warning("mcp_proxy has no configuration: %s", exc)
            _default = ProxyRuntime(None, error=str(exc))
    return _default


_default: ProxyRuntime | None = None
