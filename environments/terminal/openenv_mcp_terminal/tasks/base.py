"""What a task is: setup files and a statement drawn from a seeded generator, and a verifier."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from openenv_mcp.errors import ActionError
from openenv_mcp_terminal.commands import CommandResult
from openenv_mcp_terminal.files import Workspace

__all__ = ["CheckContext", "Runner", "Task", "TaskInstance", "Verdict", "Verifier", "answer_file"]

Runner = Callable[[str], Awaitable[CommandResult]]
"""Runs a shell command in the check's own sandbox, on its copy of the workspace (`run_command`)."""


@dataclass(frozen=True)
class Verdict:
    """A verifier's judgement: passed, and a message (on failure, a hint that keeps the answer back)."""

    passed: bool
    message: str


@dataclass(frozen=True)
class CheckContext:
    """What a verifier may look at: a copy of the workspace, and a sandbox of its own to run commands in.

    Both are the check's alone: the agent's sandbox takes no part (see environment.py).
    """

    workspace: Workspace
    run: Runner


Verifier = Callable[[CheckContext], Awaitable[Verdict]]


@dataclass(frozen=True)
class TaskInstance:
    """One task as an episode meets it.

    Attributes:
        statement: what the agent is asked to do.
        files: setup files, path (relative to /workspace) to content.
        verify: judges the workspace; runs host-side on a copy, and may run commands in a
            sandbox started for the check.
        solution: shell commands that solve it: the reference solution, never shown to the agent.
        executable: setup files to mark executable.
    """

    statement: str
    files: Mapping[str, str]
    verify: Verifier
    solution: tuple[str, ...]
    executable: frozenset[str] = field(default_factory=frozenset[str])


@dataclass(frozen=True)
class Task:
    """A kind of task: an id, a title, and a generator of instances from a seeded random source."""

    id: str
    title: str
    generate: Callable[[random.Random], TaskInstance]


def answer_file(context: CheckContext, path: str = "answer.txt") -> str | None:
    """The stripped text of the answer file, or None when it is missing or unreadable."""
    if not context.workspace.exists(path):
        return None
    try:
        return context.workspace.read_text(path, limit=10_000).strip()
    except ActionError:  # a directory, a fifo, a link leading outside: no answer
        return None
