"""The tasks of the terminal environment, by id, each a seeded generator and a verifier."""

from openenv_mcp_terminal.tasks.base import CheckContext, Runner, Task, TaskInstance, Verdict, Verifier
from openenv_mcp_terminal.tasks.debugging import FIX_CONFIG, FIX_SCRIPT
from openenv_mcp_terminal.tasks.files import CREATE_FILE, CSV_DEDUPE, RENAME_FILES
from openenv_mcp_terminal.tasks.scripting import SHELL_SCRIPT
from openenv_mcp_terminal.tasks.search import COUNT_MATCHES, LOG_SEARCH

__all__ = ["TASKS", "CheckContext", "Runner", "Task", "TaskInstance", "Verdict", "Verifier"]

TASKS: dict[str, Task] = {
    task.id: task
    for task in (
        CREATE_FILE,
        LOG_SEARCH,
        COUNT_MATCHES,
        FIX_SCRIPT,
        FIX_CONFIG,
        RENAME_FILES,
        CSV_DEDUPE,
        SHELL_SCRIPT,
    )
}
"""Every task, in the order an episode's random draw indexes them."""
