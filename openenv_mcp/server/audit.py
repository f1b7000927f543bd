"""A structured audit log of the control plane: one JSON object a line, for whoever answers for the server.

Every control action (reset, step, step_batch, state, close) and every refused call is
written with the time, the environment, the tool, the client, the episode and the outcome
(``ok`` or the error's kind). Inner tool calls that succeed are the agent's work, not the
operator's, and are counted in ``/metrics`` instead. ``serve --audit-log FILE`` turns it on.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

__all__ = ["AUDIT_LOGGER", "audit", "log_to"]

AUDIT_LOGGER = "openenv_mcp.audit"
_logger = logging.getLogger(AUDIT_LOGGER)


class _JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(getattr(record, "audit", {"message": record.getMessage()}), sort_keys=True)


def log_to(path: str | Path) -> logging.Handler:
    """Write the audit log to `path` (appended, a JSON object a line); the handler, to remove later."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(_JsonLines())
    _logger.addHandler(handler)
    _logger.setLevel(logging.INFO)
    _logger.propagate = False
    return handler


def audit(env: str, tool: str, client: str, outcome: str, episode_id: str | None, **extra: Any) -> None:
    """Record one control action or refusal (nothing is formatted unless a handler listens)."""
    if not _logger.handlers:
        return
    entry: dict[str, Any] = {"time": time.time(), "env": env, "tool": tool, "client": client}
    entry.update(outcome=outcome, episode_id=episode_id)
    _logger.info("audit", extra={"audit": {**entry, **extra}})
