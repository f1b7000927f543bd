"""The Environment base class and the `@tool` decorator.

The CodeAct names load the sandbox stack, so they are imported on first use: a client or a
plain environment does not pay for it.
"""

from typing import TYPE_CHECKING, Any

from openenv_mcp.environment.base import Environment
from openenv_mcp.environment.records import StepRecord
from openenv_mcp.environment.tools import (
    RESERVED_NAMES,
    RESERVED_PARAMETERS,
    ForwardedTool,
    InnerTool,
    forwarded_tool,
    tool,
)

if TYPE_CHECKING:
    from openenv_mcp.environment.codeact import CodeActEnvironment, CodeActOptions, CodeObservation

_CODEACT = frozenset({"CodeActEnvironment", "CodeActOptions", "CodeObservation"})


def __getattr__(name: str) -> Any:
    if name in _CODEACT:
        from openenv_mcp.environment import codeact

        return getattr(codeact, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "RESERVED_NAMES",
    "RESERVED_PARAMETERS",
    "CodeActEnvironment",
    "CodeActOptions",
    "CodeObservation",
    "Environment",
    "ForwardedTool",
    "InnerTool",
    "StepRecord",
    "forwarded_tool",
    "tool",
]
