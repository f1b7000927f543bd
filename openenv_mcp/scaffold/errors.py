"""The error `openenv-mcp init` refuses with."""

from __future__ import annotations

from openenv_mcp.errors import OpenEnvError

__all__ = ["ScaffoldError"]


class ScaffoldError(OpenEnvError):
    """A new environment cannot be written: a bad or taken name, or a folder already there."""

    kind = "scaffold"
