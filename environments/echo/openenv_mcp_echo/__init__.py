"""The echo environment: the smallest complete openenv-mcp environment."""

from openenv_mcp_echo.environment import EchoEnvironment, EchoOptions

__all__ = ["EchoEnvironment", "EchoOptions"]
