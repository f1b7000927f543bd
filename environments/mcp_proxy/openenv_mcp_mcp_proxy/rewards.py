"""Reward hooks to name in `ProxyConfig.reward`; write your own with the same signature.

A hook sees every call the child answered without an error (errors earn the environment's
`invalid_action_penalty`), with the child's own tool name and the credentials masked.

>>> from openenv_mcp_mcp_proxy.observation import ChildResult
>>> success("echo", {"message": "hi"}, ChildResult(content=[]))
1.0
"""

from __future__ import annotations

from typing import Any

from openenv_mcp_mcp_proxy.observation import ChildResult

__all__ = ["success", "zero"]


def zero(tool_name: str, arguments: dict[str, Any], result: ChildResult) -> float:
    """No reward: the default when no hook is configured."""
    return 0.0


def success(tool_name: str, arguments: dict[str, Any], result: ChildResult) -> float:
    """1 for every call the child answered without an error."""
    return 1.0
