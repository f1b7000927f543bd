"""Remove containers this project leaked: those whose owning process has gone, or our own."""

from __future__ import annotations

import logging
import os

from openenv_mcp.containers.engine import OWNER_LABEL, DockerEngine, owner

__all__ = ["owner_alive", "sweep_leaked", "sweep_owned"]

logger = logging.getLogger(__name__)


def owner_alive(value: str) -> bool:
    """Whether the process named by an owner label still runs (on another host: assume it does).

    >>> owner_alive(f"{os.uname().nodename}:{os.getpid()}")
    True
    """
    host, _, pid = value.rpartition(":")
    if not host or not pid.isdigit():
        return False  # no owner recorded: nobody will remove it
    if host != os.uname().nodename:
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_leaked(engine: DockerEngine) -> list[str]:
    """Remove labelled containers whose owner is gone (or unknown); their names."""
    leaked = [s for s in engine.labelled() if not owner_alive(s.labels.get(OWNER_LABEL, ""))]
    return [s.name for s in leaked if engine.remove(s.id)]


def sweep_owned(engine: DockerEngine) -> list[str]:
    """Remove every labelled container this process started; their names."""
    mine = engine.labelled(**{OWNER_LABEL: owner()})
    return [s.name for s in mine if engine.remove(s.id)]
