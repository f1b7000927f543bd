"""Errors of the container provider, under the project's one hierarchy."""

from __future__ import annotations

from openenv_mcp.errors import OpenEnvError

__all__ = ["ContainerError", "DockerUnavailableError"]


class ContainerError(OpenEnvError):
    """A container could not be built, started or reached, or it died (out of memory, a crash)."""


class DockerUnavailableError(ContainerError):
    """The docker SDK is not installed, or no Docker engine answers."""
