"""OpenEnv's error codes, and which of our error kinds each one carries.

OpenEnv's clients read an error frame's ``code`` (and its message); they know nothing of
our kinds. Every error frame and JSON-RPC error we send carries both: OpenEnv's code for
its clients, our stable ``kind`` (see `openenv_mcp.errors`) for anyone who wants to know more.

>>> [ws_code(kind).value for kind in ("at_capacity", "invalid_options", "sandbox_failed")]
['CAPACITY_REACHED', 'VALIDATION_ERROR', 'EXECUTION_ERROR']
>>> rpc_code("unknown_tool"), tool_error_type("unknown_tool")
(-32602, 'tool_not_found')
"""

from __future__ import annotations

from enum import StrEnum

from mcp.types import INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST

from openenv_mcp.errors import (
    AtCapacityError,
    EpisodeClosedError,
    InvalidArgumentsError,
    InvalidOptionsError,
    NoDefaultEpisodeError,
    QuotaError,
    UnknownEpisodeError,
    UnknownToolError,
)

__all__ = ["SERVER_ERROR", "WireCode", "rpc_code", "tool_error_type", "ws_code"]


class WireCode(StrEnum):
    """The ``code`` of an OpenEnv WebSocket error frame (its `WSErrorCode` values)."""

    INVALID_JSON = "INVALID_JSON"
    UNKNOWN_TYPE = "UNKNOWN_TYPE"
    VALIDATION_ERROR = "VALIDATION_ERROR"
    EXECUTION_ERROR = "EXECUTION_ERROR"
    CAPACITY_REACHED = "CAPACITY_REACHED"
    FACTORY_ERROR = "FACTORY_ERROR"
    SESSION_ERROR = "SESSION_ERROR"


SERVER_ERROR = -32000
"""JSON-RPC's generic server error, which OpenEnv answers for a refused session."""

_WS: dict[str, WireCode] = {
    AtCapacityError.kind: WireCode.CAPACITY_REACHED,
    QuotaError.kind: WireCode.CAPACITY_REACHED,
    InvalidArgumentsError.kind: WireCode.VALIDATION_ERROR,
    InvalidOptionsError.kind: WireCode.VALIDATION_ERROR,
    UnknownToolError.kind: WireCode.VALIDATION_ERROR,
    UnknownEpisodeError.kind: WireCode.SESSION_ERROR,
    EpisodeClosedError.kind: WireCode.SESSION_ERROR,
    NoDefaultEpisodeError.kind: WireCode.SESSION_ERROR,
}

_RPC: dict[str, int] = {
    AtCapacityError.kind: SERVER_ERROR,
    QuotaError.kind: SERVER_ERROR,
    InvalidArgumentsError.kind: INVALID_PARAMS,
    InvalidOptionsError.kind: INVALID_PARAMS,
    UnknownToolError.kind: INVALID_PARAMS,
    UnknownEpisodeError.kind: INVALID_PARAMS,
    EpisodeClosedError.kind: INVALID_PARAMS,
    NoDefaultEpisodeError.kind: INVALID_REQUEST,
}

_TOOL_ERRORS: dict[str, str] = {
    UnknownToolError.kind: "tool_not_found",
    InvalidArgumentsError.kind: "invalid_args",
    "sandbox_killed": "timeout",
}


def ws_code(kind: str) -> WireCode:
    """The error frame code for an error of `kind` (EXECUTION_ERROR for any other)."""
    return _WS.get(kind, WireCode.EXECUTION_ERROR)


def rpc_code(kind: str) -> int:
    """The JSON-RPC error code for an error of `kind` (internal error for any other)."""
    return _RPC.get(kind, INTERNAL_ERROR)


def tool_error_type(kind: str) -> str:
    """OpenEnv's `ToolErrorType` for a failed call of `kind`, in a call_tool observation."""
    return _TOOL_ERRORS.get(kind, "execution_error")
