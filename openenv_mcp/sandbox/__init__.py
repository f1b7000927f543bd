"""Sandboxes that run model-written Python, step after step, in one persistent worker.

The layers around it, and what this machine gives of them, are in `layers` (``openenv-mcp doctor``).
"""

from openenv_mcp.sandbox.base import (
    ExecError,
    ExecResult,
    Sandbox,
    SandboxFactory,
    ToolCallRecord,
    ToolHandler,
    ToolReply,
    ToolSpec,
)
from openenv_mcp.sandbox.bubblewrap import BubblewrapSandbox, bubblewrap_factory
from openenv_mcp.sandbox.layers import LAYERS, Layer, LayerReport
from openenv_mcp.sandbox.limits import SandboxLimits
from openenv_mcp.sandbox.pool import WarmPool
from openenv_mcp.sandbox.process import ProcessSandbox, process_factory
from openenv_mcp.sandbox.processes import sandbox_processes
from openenv_mcp.sandbox.unsafe import UnsafeProcessSandbox, unsafe_factory

__all__ = [
    "LAYERS",
    "BubblewrapSandbox",
    "ExecError",
    "ExecResult",
    "Layer",
    "LayerReport",
    "ProcessSandbox",
    "Sandbox",
    "SandboxFactory",
    "SandboxLimits",
    "ToolCallRecord",
    "ToolHandler",
    "ToolReply",
    "ToolSpec",
    "UnsafeProcessSandbox",
    "WarmPool",
    "bubblewrap_factory",
    "process_factory",
    "sandbox_processes",
    "unsafe_factory",
]
