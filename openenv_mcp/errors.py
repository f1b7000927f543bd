"""The one exception hierarchy of openenv-mcp.

Every error the library raises on purpose derives from `OpenEnvError`. Errors that
an agent should read (a bad action, an unknown episode) are turned into `isError`
tool results at the server boundary; only protocol failures become protocol errors.
"""

from __future__ import annotations

__all__ = [
    "ActionError",
    "AtCapacityError",
    "DefinitionError",
    "EpisodeClosedError",
    "EpisodeError",
    "InvalidOptionsError",
    "NoDefaultEpisodeError",
    "OpenEnvError",
    "SandboxError",
    "SandboxUnavailableError",
    "UnknownEnvironmentError",
    "UnknownEpisodeError",
]


class OpenEnvError(Exception):
    """Base of every error raised by openenv-mcp on purpose."""


class DefinitionError(OpenEnvError):
    """An environment class is declared wrongly (for example a reserved tool name)."""


class UnknownEnvironmentError(OpenEnvError):
    """No installed environment has the requested name."""


class ActionError(OpenEnvError):
    """An action cannot be carried out as given: unknown tool, bad arguments, no code hook."""


class InvalidOptionsError(OpenEnvError):
    """The `reset` options do not match what the environment accepts."""


class EpisodeError(OpenEnvError):
    """A problem with an episode handle or the episode registry."""


class UnknownEpisodeError(EpisodeError):
    """The episode id was never issued, or has expired and been reaped."""


class EpisodeClosedError(EpisodeError):
    """The episode was closed; its id can no longer be used."""


class AtCapacityError(EpisodeError):
    """The registry holds as many live episodes as it is allowed to."""


class NoDefaultEpisodeError(EpisodeError):
    """A stateless call named no episode, so there is no default episode to use."""


class SandboxError(OpenEnvError):
    """The sandbox could not start, or its worker failed outside the user's code."""


class SandboxUnavailableError(SandboxError):
    """The sandbox backend is missing on this machine (for example no bwrap binary)."""
