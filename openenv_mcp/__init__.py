"""openenv-mcp: an MCP-first environment server for agentic reinforcement learning."""

from openenv_mcp.environment import Environment, StepRecord, tool
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.spec import (
    Action,
    CodeAction,
    ResetResult,
    State,
    StepResult,
    ToolAnnotationsSpec,
    ToolCallAction,
    ToolDefinition,
)

__all__ = [
    "Action",
    "CodeAction",
    "Environment",
    "OpenEnvError",
    "ResetResult",
    "State",
    "StepRecord",
    "StepResult",
    "ToolAnnotationsSpec",
    "ToolCallAction",
    "ToolDefinition",
    "tool",
]
