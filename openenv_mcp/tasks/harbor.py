"""Harbor task folders read as tasks of the `terminal` environment.

A Harbor task is a folder: ``task.toml`` (configuration; parsed here with `tomllib`),
``instruction.md`` (what the agent reads), ``tests/test.sh`` (the verifier, with any files
beside it), and optionally ``environment/`` (its files, bar the Dockerfile, seed the
workspace) and ``solution/solve.sh`` (the reference solution). A folder of such folders is
a taskset. Each task becomes a row whose ``task`` option is the whole task, so it travels
in `reset`'s options; the terminal environment checks and runs it (its README says how).
Every file must be UTF-8 text: a missing or unreadable one fails the load, naming it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from openenv_mcp.errors import TaskError
from openenv_mcp.tasks.rows import taskset_from_rows
from openenv_mcp.tasks.taskset import Taskset

if TYPE_CHECKING:
    from openenv_mcp.environment import Environment

__all__ = ["FILE_LIMIT", "REQUIRED", "holds_task_folders", "is_task_folder", "load_folder", "read_task"]

REQUIRED = ("task.toml", "instruction.md", "tests/test.sh")
"""The files every Harbor task folder must have."""
FILE_LIMIT = 1_000_000
"""Bytes a task's file may have (what the terminal workspace accepts in one write)."""
_NOT_COPIED = frozenset({"Dockerfile", "docker-compose.yaml", "docker-compose.yml"})
"""Files of ``environment/`` that build Harbor's container: there is no container here."""


def is_task_folder(path: Path) -> bool:
    """A folder with either of Harbor's top files is a task (reading it then names what it lacks)."""
    return (path / "task.toml").is_file() or (path / "instruction.md").is_file()


def holds_task_folders(path: Path) -> bool:
    return any(is_task_folder(child) for child in path.iterdir() if child.is_dir())


def load_folder(path: Path, env: type[Environment] | None = None) -> Taskset:
    """One Harbor task folder, or every task folder inside `path` (sorted by name)."""
    folders = [path] if is_task_folder(path) else sorted(c for c in path.iterdir() if is_task_folder(c))
    rows = [read_task(folder) for folder in folders]
    return taskset_from_rows(((row, None) for row in rows), str(path), env)


def read_task(folder: Path) -> dict[str, Any]:
    """A task folder as a taskset row: ``id`` (the folder's name) and ``task`` (the task itself)."""
    for name in REQUIRED:
        if not (folder / name).is_file():
            raise TaskError(f"Harbor task {folder}: {name} is missing (a task needs {', '.join(REQUIRED)})")
    config = _config(folder / "task.toml")
    timeout = _table(config, "verifier").get("timeout_sec", 120.0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise TaskError(f"Harbor task {folder}: task.toml's verifier.timeout_sec must be a positive number")
    solution = folder / "solution" / "solve.sh"
    title = _table(config, "task").get("name")
    task = {
        "id": folder.name,
        "title": str(title or folder.name),
        "instruction": _text(folder / "instruction.md"),
        "files": _tree(folder / "environment", skip=_NOT_COPIED),
        "tests": _tree(folder / "tests"),
        "solution": _text(solution) if solution.is_file() else None,
        "verifier_timeout": float(timeout),
    }
    return {"id": folder.name, "task": task, "metadata": _table(config, "metadata")}


def _config(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise TaskError(f"Harbor task file {path} is not valid TOML: {exc}") from exc


def _table(config: dict[str, Any], name: str) -> dict[str, Any]:
    """A table of task.toml, or none: a key that is not a table counts as absent."""
    table = config.get(name)
    return cast(dict[str, Any], table) if isinstance(table, dict) else {}


def _tree(root: Path, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every file under `root`, by path relative to it (none when `root` is absent)."""
    if not root.is_dir():
        return {}
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise TaskError(f"Harbor task file {path} is a symbolic link: tasks hold plain files only")
        if path.is_file() and relative not in skip:
            found[relative] = _text(path)
    return found


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TaskError(f"Harbor task file {path} cannot be read: {exc.strerror}") from exc
    if len(data) > FILE_LIMIT:
        raise TaskError(f"Harbor task file {path} has {len(data):,} bytes; at most {FILE_LIMIT:,} are taken")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TaskError(f"Harbor task file {path} is not UTF-8 text (byte {exc.start})") from exc
