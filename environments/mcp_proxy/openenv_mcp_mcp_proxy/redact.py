"""Keeping the child's credentials out of everything the proxy shows or logs.

>>> Redactor(["hunter2"]).text("the password is hunter2")
'the password is ***'
>>> Redactor(["hunter2"]).data({"k": ["hunter2!", 1]})
{'k': ['***!', 1]}
"""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Iterable
from typing import Any

__all__ = ["MASK", "MIN_SECRET_LENGTH", "Redactor", "redact_logs"]

MASK = "***"
MIN_SECRET_LENGTH = 4
"""Shorter values are not masked: masking "1" or "on" would garble every answer."""

_LIVE: weakref.WeakSet[Redactor] = weakref.WeakSet()
_GUARDED_PREFIXES = ("mcp.", "client", "httpx")


class Redactor:
    """Replaces every credential value in text and JSON data with `***`."""

    def __init__(self, secrets: Iterable[str]) -> None:
        kept = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, kept))) if kept else None
        if kept:
            _LIVE.add(self)

    def text(self, value: str) -> str:
        """`value` with every credential masked."""
        return value if self._pattern is None else self._pattern.sub(MASK, value)

    def data(self, value: Any) -> Any:
        """JSON data with every credential masked in its strings (keys included)."""
        if self._pattern is None:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            items: dict[Any, Any] = value  # pyright: ignore[reportUnknownVariableType]
            return {self.data(k): self.data(v) for k, v in items.items()}
        if isinstance(value, list | tuple):
            sequence: list[Any] = list(value)  # pyright: ignore[reportUnknownArgumentType]
            return [self.data(v) for v in sequence]
        return value


class _LogRedaction(logging.Filter):
    """Masks every live proxy's credentials in a record before a handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(_LIVE)
        if not redactors:
            return True
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, None
        for redactor in redactors:
            message = redactor.text(message)
        record.msg, record.args = message, None
        return True


_FILTER = _LogRedaction()


def redact_logs() -> None:
    """Guard the loggers that may quote a child's output (the SDK's and the HTTP client's).

    A logger's filters see only the records logged on it, so each existing SDK logger gets one.
    """
    names = [n for n in list(logging.root.manager.loggerDict) if n.startswith(_GUARDED_PREFIXES)]
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
