"""Reading a member of decoded JSON whose shape is not known yet."""

from __future__ import annotations

from typing import cast

__all__ = ["member"]


def member(value: object, key: str) -> object:
    """`value[key]` where `value` is a JSON object holding it, else None.

    >>> member({"type": "step"}, "type"), member([1], "type")
    ('step', None)
    """
    if isinstance(value, dict):
        return cast("dict[str, object]", value).get(key)
    return None
