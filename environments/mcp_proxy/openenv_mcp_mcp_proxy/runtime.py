"""What one proxy class holds: its configuration, tools, reward hook and the shared child."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from openenv_mcp.errors import DefinitionError
from openenv_mcp_mcp_proxy.child import ChildConnection
from openenv_mcp_mcp_proxy.config import ProxyConfig
from openenv_mcp_mcp_proxy.observation import ChildResult
from openenv_mcp_mcp_proxy.redact import Redactor

__all__ = ["ProxyRuntime", "RewardHook", "SharedChild", "load_reward_hook"]

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
    """A configured proxy class's state; `error` says why its child is unusable, when it is."""

    config: ProxyConfig | None
    error: str | None = None
    redactor: Redactor = field(init=False)
    reward: RewardHook | None = field(init=False, default=None)
    shared: SharedChild | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.redactor = Redactor(self.config.secrets() if self.config else [])
        if self.config is not None:
            self.shared = SharedChild(self.config, self.redactor)
            if self.config.reward:
                self.reward = load_reward_hook(self.config.reward)
