"""The terminal environment: agentic coding and operations tasks in a sandboxed workspace."""

from openenv_mcp_terminal.commands import CommandResult
from openenv_mcp_terminal.environment import TerminalEnvironment, TerminalOptions
from openenv_mcp_terminal.files import DirEntry, DirListing, Workspace
from openenv_mcp_terminal.observations import CheckResult, TaskView
from openenv_mcp_terminal.tasks import TASKS, Task, TaskInstance, Verdict

__all__ = [
    "TASKS",
    "CheckResult",
    "CommandResult",
    "DirEntry",
    "DirListing",
    "Task",
    "TaskInstance",
    "TaskView",
    "TerminalEnvironment",
    "TerminalOptions",
    "Verdict",
    "Workspace",
]
