"""The one exception hierarchy of openenv-mcp, and the stable kind each error carries.

Every error the library raises on purpose derives from `OpenEnvError`. Errors that
an agent should read (a bad action, an unknown episode) are turned into `isError`
tool results at the server boundary; only protocol failures become protocol errors.

Each class has a `kind`, a stable snake_case name that travels with the error: in the
``openenv-mcp/error`` entry of a result's `_meta`, in a step's ``info["error_kind"]``, and
in `step`'s and `step_batch`'s ``error_kind`` field. A client reads the kind, never the
English, and `error_class` turns it back into the class (the client raises that).

>>> error_class("unknown_episode").__name__, UnknownEpisodeError.kind
('UnknownEpisodeError', 'unknown_episode')
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ENVIRONMENT_FAILED",
    "ActionError",
    "AtCapacityError",
    "DefinitionError",
    "EpisodeClosedError",
    "EpisodeEndedError",
    "EpisodeError",
    "EpisodeLostError",
    "ForbiddenError",
    "InvalidArgumentsError",
    "InvalidOptionsError",
    "NoDefaultEpisodeError",
    "OpenEnvError",
    "QuotaError",
    "SandboxError",
    "SandboxKilledError",
    "SandboxUnavailableError",
    "TaskError",
    "TrajectoryError",
    "UnauthorizedError",
    "UnknownEnvironmentError",
    "UnknownEpisodeError",
    "UnknownTaskError",
    "UnknownToolError",
    "error_class",
    "error_kinds",
]

ENVIRONMENT_FAILED = "environment_failed"
"""The kind of an unexpected exception in an environment's own code (not an `OpenEnvError`)."""


class OpenEnvError(Exception):
    """Base of every error raised by openenv-mcp on purpose."""

    kind: ClassVar[str] = "error"


class DefinitionError(OpenEnvError):
    """An environment class is declared wrongly (for example a reserved tool name)."""

    kind = "definition"


class UnknownEnvironmentError(OpenEnvError):
    """No installed environment has the requested name."""

    kind = "unknown_environment"


class ActionError(OpenEnvError):
    """An action cannot be carried out as given (the environment says why)."""

    kind = "action_failed"


class UnknownToolError(ActionError):
    """The action names a tool this server or environment does not have (in this mode)."""

    kind = "unknown_tool"


class InvalidArgumentsError(ActionError):
    """A tool's arguments do not match its input schema, or the action is malformed."""

    kind = "invalid_arguments"


class InvalidOptionsError(OpenEnvError):
    """The `reset` options do not match what the environment accepts."""

    kind = "invalid_options"


class TaskError(InvalidOptionsError):
    """A task or taskset is malformed: a bad row, wrong columns, a Harbor folder missing a file.

    A bad task is a bad `reset` option, so it is an `InvalidOptionsError` too.
    """

    kind = "invalid_task"


class UnknownTaskError(TaskError):
    """No task of the taskset or environment has the requested id."""

    kind = "unknown_task"


class TrajectoryError(OpenEnvError):
    """A recorded trajectory cannot be read, written or replayed as given."""

    kind = "invalid_trajectory"


class EpisodeError(OpenEnvError):
    """A problem with an episode handle or the episode registry."""

    kind = "episode"


class UnknownEpisodeError(EpisodeError):
    """The episode id was never issued, or has expired and been reaped."""

    kind = "unknown_episode"


class EpisodeClosedError(EpisodeError):
    """The episode was closed; its id can no longer be used."""

    kind = "episode_closed"


class EpisodeEndedError(EpisodeError):
    """The episode has terminated or been truncated: it takes no more steps until a reset."""

    kind = "episode_ended"


class EpisodeLostError(EpisodeError):
    """The episode's process or node died (a Ray actor, its node): its state is gone, nothing retried it.

    Every other episode goes on; this one answers this error until it is closed.
    """

    kind = "episode_lost"


class AtCapacityError(EpisodeError):
    """The registry holds as many live episodes as it is allowed to."""

    kind = "at_capacity"


class NoDefaultEpisodeError(EpisodeError):
    """A stateless call named no episode, so there is no default episode to use."""

    kind = "no_episode"


class QuotaError(EpisodeError):
    """A client is over its own quota (live episodes, steps per second); the message says when to retry."""

    kind = "quota"


class SandboxError(OpenEnvError):
    """The sandbox could not start, or its worker failed outside the user's code."""

    kind = "sandbox_failed"


class SandboxUnavailableError(SandboxError):
    """The sandbox backend is missing on this machine (for example no bwrap binary)."""

    kind = "sandbox_unavailable"


class SandboxKilledError(ActionError):
    """The code's sandbox was killed (a wall-clock, CPU or memory limit, or it misbehaved)."""

    kind = "sandbox_killed"


class UnauthorizedError(OpenEnvError):
    """An HTTP request's bearer token is missing, malformed, expired or otherwise not accepted (401)."""

    kind = "unauthorized"


class ForbiddenError(OpenEnvError):
    """A verified token lacks every scope the endpoint accepts (403)."""

    kind = "forbidden"


def _subclasses(cls: type[OpenEnvError]) -> list[type[OpenEnvError]]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


def error_kinds() -> dict[str, type[OpenEnvError]]:
    """Every kind this library defines, with its class (subclasses elsewhere included)."""
    return {cls.kind: cls for cls in _subclasses(OpenEnvError) if cls.__module__ == __name__}


def error_class(kind: str) -> type[OpenEnvError]:
    """The class of `kind`; `OpenEnvError` for a kind this version does not know."""
    return error_kinds().get(kind, OpenEnvError)
