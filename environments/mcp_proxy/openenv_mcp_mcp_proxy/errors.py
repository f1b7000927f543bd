"""The proxy's errors: all `ActionError`s or `OpenEnvError`s, so the agent reads them."""

from __future__ import annotations

from openenv_mcp.errors import ActionError, OpenEnvError

__all__ = ["ChildCallError", "ChildStartError"]


class ChildStartError(OpenEnvError):
    """The child server could not be started or reached."""


class ChildCallError(ActionError):
    """The child server crashed, hung or answered garbage on one call: an error observation."""
