"""Plain JSON data from observations of any type."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

__all__ = ["jsonable"]

_ANY: TypeAdapter[Any] = TypeAdapter(Any)


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data (pydantic models and dataclasses included).

    >>> jsonable({"n": (1, 2)})
    {'n': [1, 2]}
    """
    return _ANY.dump_python(value, mode="json")
