"""The `datasets` library, imported on first use (the ``data`` extra): the core runs without it.

It ships no type hints a strict checker accepts, so it is handed out as `Any`, at this one place.
"""

from __future__ import annotations

import importlib
from typing import Any

from openenv_mcp.errors import OpenEnvError

__all__ = ["datasets"]


def datasets(error: type[OpenEnvError], what: str) -> Any:
    """The `datasets` module; without it, `error` saying that `what` needs the ``data`` extra."""
    try:
        return importlib.import_module("datasets")
    except ImportError as exc:
        raise error(f"{what} needs the `data` extra (openenv-mcp[data]): {exc}") from exc
