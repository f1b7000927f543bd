"""Dataset rows as tasks: the column convention, checked row by row, every error naming its row.

A row has an ``id`` (a string, or a whole number). Its `reset` options come from an
``options`` column (a mapping, or JSON text of one) and a ``task`` column (a task id or a
task's own row, put in as the ``task`` option). Without either, a row of an environment
that takes a ``task`` option is started with ``{"task": id}``. ``seed`` and ``split`` are
optional; every other column is kept as the task's `data` (answers, metadata).

>>> task_from_row({"id": 7, "task": "fizzbuzz", "answer": "x"}, "row 0").options
{'task': 'fizzbuzz'}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from openenv_mcp.errors import InvalidOptionsError, TaskError
from openenv_mcp.tasks.taskset import Task, Taskset

if TYPE_CHECKING:
    from openenv_mcp.environment import Environment

__all__ = ["RESERVED_COLUMNS", "check_columns", "task_from_row", "taskset_from_rows"]

RESERVED_COLUMNS = ("id", "options", "task", "seed", "split")
"""The columns with a meaning; the others are the task's data."""


def check_columns(columns: Sequence[str], source: str) -> None:
    """A taskset needs an ``id`` column: fail before reading a row without one."""
    if "id" not in columns:
        raise TaskError(
            f"{source}: a taskset needs an `id` column (and `options` or `task` for the reset options); "
            f"its columns are: {', '.join(columns) or '(none)'}"
        )


def task_from_row(
    row: Mapping[str, Any], where: str, env: type[Environment] | None = None, split: str | None = None
) -> Task:
    """One row as a task, its options checked against `env` when one is given.

    Raises:
        TaskError: the row is malformed or `env` refuses its options; the message names `where`.
    """
    task_id = _task_id(row.get("id"), where)
    options = _options(row, where, env, task_id)
    task = Task(
        id=task_id,
        options=options,
        seed=_seed(row.get("seed"), where),
        split=_split(row.get("split"), where) or split,
        data={k: v for k, v in row.items() if k not in RESERVED_COLUMNS},
    )
    if env is not None:
        try:
            env.validate_options(options)
        except InvalidOptionsError as exc:
            raise TaskError(f"{where} (task {task_id!r}): {exc}") from exc
    return task


def taskset_from_rows(
    rows: Iterable[tuple[Mapping[str, Any], str | None]],
    source: str,
    env: type[Environment] | None = None,
) -> Taskset:
    """Every (row, split) as a task: the first bad row fails the whole load (nothing half-loaded)."""
    tasks = [
        task_from_row(row, f"{source}: row {index}", env, split) for index, (row, split) in enumerate(rows)
    ]
    return Taskset(tasks, env=env, source=source)


def _task_id(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise TaskError(f"{where}: `id` must be a non-empty string or a whole number; got {value!r}")
    return str(value)


def _options(
    row: Mapping[str, Any], where: str, env: type[Environment] | None, task_id: str
) -> dict[str, Any]:
    raw: object = row.get("options")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError as exc:
            raise TaskError(
                f"{where}: `options` is not valid JSON ({exc.msg} at character {exc.pos})"
            ) from exc
    if raw is None:
        options: dict[str, Any] = {}
    elif isinstance(raw, Mapping):
        options = {str(k): v for k, v in cast(Mapping[object, Any], raw).items()}
    else:
        raise TaskError(f"{where}: `options` must be a mapping or JSON text of one; got {type(raw).__name__}")
    task = row.get("task")
    if task is not None:
        if "task" in options:
            raise TaskError(f"{where}: the task is given twice, in `task` and in `options`")
        options["task"] = task
    elif "options" not in row and env is not None and "task" in env.options_schema()["properties"]:
        options["task"] = task_id
    return options


def _seed(value: object, where: str) -> int | None:
    if value is None or value != value:  # NaN: a CSV's empty cell in a number column
        return None
    if isinstance(value, float) and value.is_integer():  # a CSV column with gaps reads as floats
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise TaskError(f"{where}: `seed` must be a whole number of 0 or more; got {value!r}")
    return value


def _split(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise TaskError(f"{where}: `split` must be a non-empty string; got {value!r}")
    return value
