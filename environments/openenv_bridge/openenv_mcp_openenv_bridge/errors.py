"""The bridge's errors: each an `OpenEnvError` or an `ActionError`, so a caller reads why."""

from __future__ import annotations

from openenv_mcp.errors import ActionError, OpenEnvError

__all__ = ["RemoteFailedError", "RemoteStartError", "RemoteUnconfiguredError"]


class RemoteStartError(OpenEnvError):
    """The remote OpenEnv server could not be started, reached or listed."""

    kind = "remote_unavailable"


class RemoteUnconfiguredError(RemoteStartError):
    """No remote is named: none of the bridge's variables is set."""

    kind = "remote_unconfigured"


class RemoteFailedError(ActionError):
    """The remote died, hung or answered garbage on one request; the episode ends with it."""

    kind = "remote_failed"
