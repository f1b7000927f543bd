"""An environment's built-in tasks as a taskset: `Environment.task_options()`, titled by `tasks()`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from openenv_mcp.tasks.rows import taskset_from_rows
from openenv_mcp.tasks.taskset import Taskset

if TYPE_CHECKING:
    from openenv_mcp.environment import Environment

__all__ = ["builtin"]


def builtin(env: type[Environment] | str) -> Taskset:
    """The tasks an environment ships: an empty taskset when it has none.

    Each row has ``id``, ``title`` and ``options``, and is checked like any loaded row.
    """
    if isinstance(env, str):
        from openenv_mcp import discovery

        env = discovery.load(env)
    titles = env.tasks()
    rows = (
        ({"id": task, "title": titles.get(task, task), "options": options}, None)
        for task, options in env.task_options().items()
    )
    return taskset_from_rows(rows, f"{env.name} built-in tasks", env)
