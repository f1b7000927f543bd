"""Callables named on the command line as ``MODULE:ATTRIBUTE`` (a dotted attribute too).

>>> load_callable("operator:not_", what="hook", error=ValueError)
<built-in function not_>
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["load_callable"]


def load_callable(target: str, *, what: str, error: type[Exception]) -> Callable[..., Any]:
    """The callable `target` names; `error("{what}: ...")` saying why when it cannot be had."""
    module_name, _, attribute = target.partition(":")
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as exc:
        raise error(f"{what}: cannot import {module_name!r}: {exc}") from exc
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise error(f"{what}: {module_name!r} has no attribute {attribute!r}")
        found = getattr(found, part)
    if not callable(found):
        raise error(f"{what}: {attribute!r} is not callable")
    return found
