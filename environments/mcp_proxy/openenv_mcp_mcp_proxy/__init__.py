"""Any MCP server behind the environment boundary: its tools become inner tools, each call a step."""

from openenv_mcp_mcp_proxy.config import (
    CONFIG_VARIABLE,
    EVERYTHING_TOOLS,
    NODE_DIR_VARIABLE,
    ProxyConfig,
    default_config,
    everything_config,
    toolbox_config,
)
from openenv_mcp_mcp_proxy.environment import McpProxyEnvironment, ProxyFactory
from openenv_mcp_mcp_proxy.errors import ChildCallError, ChildStartError
from openenv_mcp_mcp_proxy.observation import ChildResult
from openenv_mcp_mcp_proxy.runtime import ProxyRuntime, RewardHook, load_reward_hook

__all__ = [
    "CONFIG_VARIABLE",
    "EVERYTHING_TOOLS",
    "NODE_DIR_VARIABLE",
    "ChildCallError",
    "ChildResult",
    "ChildStartError",
    "McpProxyEnvironment",
    "ProxyConfig",
    "ProxyFactory",
    "ProxyRuntime",
    "RewardHook",
    "default_config",
    "everything_config",
    "load_reward_hook",
    "toolbox_config",
]
