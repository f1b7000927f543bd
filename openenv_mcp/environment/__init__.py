"""The Environment base class and the `@tool` decorator."""

from openenv_mcp.environment.base import Environment
from openenv_mcp.environment.codeact import CodeActEnvironment, CodeActOptions, CodeObservation
from openenv_mcp.environment.records import StepRecord
from openenv_mcp.environment.tools import RESERVED_NAMES, InnerTool, tool

__all__ = [
    "RESERVED_NAMES",
    "CodeActEnvironment",
    "CodeActOptions",
    "CodeObservation",
    "Environment",
    "InnerTool",
    "StepRecord",
    "tool",
]
