"""Where tasksets come from: a `datasets` dataset (a file, a folder, a saved dataset, a hub name),
Harbor task folders, rows in memory, or an environment's built-in tasks.

The `datasets` library (the ``data`` extra) is imported only when a dataset is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from openenv_mcp.errors import OpenEnvError, TaskError
from openenv_mcp.tasks import harbor
from openenv_mcp.tasks.library import datasets
from openenv_mcp.tasks.rows import check_columns, taskset_from_rows
from openenv_mcp.tasks.taskset import Taskset

if TYPE_CHECKING:
    from openenv_mcp.environment import Environment

__all__ = ["HUB_PREFIX", "Source", "load"]

HUB_PREFIX = "hf://datasets/"
"""A hub dataset may be named with this prefix, or by its bare ``owner/name``."""

_BUILDERS = {".parquet": "parquet", ".jsonl": "json", ".json": "json", ".csv": "csv"}
_SAVED = ("dataset_info.json", "state.json", "dataset_dict.json")

Source = str | os.PathLike[str] | Taskset | Iterable[Mapping[str, Any]] | Any
"""A path or name, a `Taskset`, rows, or a `datasets.Dataset` / `DatasetDict`."""


def load(
    source: Source,
    *,
    env: type[Environment] | str | None = None,
    split: str | None = None,
    count: int | None = None,
) -> Taskset:
    """Load a taskset, every row checked against `env`'s options when an environment is given.

    Args:
        source: a parquet, JSON Lines or CSV file; a folder a `datasets.save_to_disk` wrote; a
            Harbor task folder or a folder of them; a hub name (``owner/name`` or
            ``hf://datasets/owner/name``); rows; or a `datasets` object.
        env: the environment class (or its installed name) the tasks are for.
        split: keep only this split's tasks.
        count: keep only the first `count` tasks (after `split`).

    Raises:
        TaskError: the source cannot be read, lacks the `id` column, or a row is bad (named).
    """
    env_class = _env_class(env)
    taskset = _read(source, env_class)
    if split is not None:
        taskset = taskset.split(split)
    return taskset if count is None else taskset.take(count)


def _env_class(env: type[Environment] | str | None) -> type[Environment] | None:
    if isinstance(env, str):
        from openenv_mcp import discovery

        return discovery.load(env)
    return env


def _read(source: Source, env: type[Environment] | None) -> Taskset:
    if isinstance(source, Taskset):
        return taskset_from_rows(((task.row(), task.split) for task in source), source.source, env)
    if isinstance(source, str | os.PathLike):
        return _read_path(os.fspath(cast(str | os.PathLike[str], source)), env)
    if _is_dataset(source):
        return _from_dataset(source, repr(source), env)
    if isinstance(source, Iterable):
        rows = list(cast(Iterable[Mapping[str, Any]], source))
        return taskset_from_rows(((row, None) for row in rows), "rows", env)
    raise TaskError(f"cannot read a taskset from a {type(source).__name__}")


def _read_path(source: str, env: type[Environment] | None) -> Taskset:
    path = Path(source)
    if path.is_file():
        builder = _BUILDERS.get(path.suffix.lower())
        if builder is None:
            raise TaskError(f"{source}: not a parquet, JSON Lines or CSV file ({', '.join(_BUILDERS)})")
        return _from_dataset(
            _datasets_call("load_dataset", source, builder, data_files=source, split="train"), source, env
        )
    if path.is_dir():
        if harbor.is_task_folder(path) or harbor.holds_task_folders(path):
            return harbor.load_folder(path, env)
        if any((path / name).exists() for name in _SAVED):
            return _from_dataset(_datasets_call("load_from_disk", source, source), source, env)
    elif path.suffix.lower() in _BUILDERS or source.startswith(("/", ".")):
        raise TaskError(f"{source}: no such file or folder")
    name = source.removeprefix(HUB_PREFIX)
    # A folder of data files and a hub name take the same call: that is how datasets reads both.
    return _from_dataset(_datasets_call("load_dataset", source, name), source, env)


def _datasets_call(function: str, source: str, *args: Any, **kwargs: Any) -> Any:
    library = datasets(TaskError, f"{source}: reading a dataset")
    try:
        return getattr(library, function)(*args, **kwargs)
    except OpenEnvError:
        raise
    except Exception as exc:  # the library's many failure types, turned into ours at this boundary
        raise TaskError(
            f"{source}: the datasets library could not read it: {type(exc).__name__}: {exc}"
        ) from exc


def _is_dataset(source: object) -> bool:
    return type(source).__module__.startswith("datasets.")


def _from_dataset(dataset: Any, source: str, env: type[Environment] | None) -> Taskset:
    """A `Dataset`'s rows, or every split of a `DatasetDict` (several splits name their rows' split)."""
    if hasattr(dataset, "column_names") and isinstance(dataset.column_names, dict):
        splits = cast(dict[str, Any], dict(dataset))
        named = len(splits) > 1
        for name, part in splits.items():
            check_columns(list(part.column_names), f"{source} (split {name!r})")
        rows = ((row, name if named else None) for name, part in splits.items() for row in part.to_list())
        return taskset_from_rows(rows, source, env)
    check_columns(list(dataset.column_names), source)
    return taskset_from_rows(((row, None) for row in dataset.to_list()), source, env)
