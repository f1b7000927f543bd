"""Any OpenEnv environment as one of ours: its tools or action types as inner tools, episodes as sessions."""

from openenv_mcp_openenv_bridge.config import (
    COMMAND_VARIABLE,
    IMAGE_VARIABLE,
    TIMEOUT_VARIABLE,
    URL_VARIABLE,
    BridgeConfig,
    config_from_env,
)
from openenv_mcp_openenv_bridge.environment import BridgeFactory, BridgeOptions, OpenEnvBridgeEnvironment
from openenv_mcp_openenv_bridge.errors import RemoteFailedError, RemoteStartError, RemoteUnconfiguredError
from openenv_mcp_openenv_bridge.observation import RemoteObservation, RemoteResult
from openenv_mcp_openenv_bridge.runtime import BridgeRuntime

__all__ = [
    "COMMAND_VARIABLE",
    "IMAGE_VARIABLE",
    "TIMEOUT_VARIABLE",
    "URL_VARIABLE",
    "BridgeConfig",
    "BridgeFactory",
    "BridgeOptions",
    "BridgeRuntime",
    "OpenEnvBridgeEnvironment",
    "RemoteFailedError",
    "RemoteObservation",
    "RemoteResult",
    "RemoteStartError",
    "RemoteUnconfiguredError",
    "config_from_env",
]
