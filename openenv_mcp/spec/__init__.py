"""Spec types: the unified action schema, tool definitions and results."""

from openenv_mcp.spec.actions import ACTION_ADAPTER, Action, CodeAction, ToolCallAction
from openenv_mcp.spec.results import ResetResult, State, StepResult
from openenv_mcp.spec.tools import ToolAnnotationsSpec, ToolDefinition

__all__ = [
    "ACTION_ADAPTER",
    "Action",
    "CodeAction",
    "ResetResult",
    "State",
    "StepResult",
    "ToolAnnotationsSpec",
    "ToolCallAction",
    "ToolDefinition",
]
