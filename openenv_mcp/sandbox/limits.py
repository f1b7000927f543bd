"""Resource limits for one sandbox, and how an episode may lower them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openenv_mcp.errors import SandboxError

__all__ = ["SandboxLimits"]

_MiB = 1024 * 1024


class SandboxLimits(BaseModel):
    """Limits applied to every process of a sandbox.

    The server sets the maximums; an episode may ask for lower ones with `clamp`.

    >>> SandboxLimits().clamp({"wall_seconds": 2}).wall_seconds
    2.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    memory_bytes: int = Field(default=512 * _MiB, gt=0, description="Address space per process.")
    cpu_seconds: int = Field(default=30, gt=0, description="CPU time of the worker, over its whole life.")
    max_processes: int = Field(default=64, gt=0, description="Processes and threads alive at once.")
    file_size_bytes: int = Field(default=16 * _MiB, gt=0, description="Largest file a process may write.")
    open_files: int = Field(default=256, gt=0, description="Open file descriptors per process.")
    wall_seconds: float = Field(default=10.0, gt=0, description="Wall-clock time of one execution.")
    output_bytes: int = Field(default=64 * 1024, gt=0, description="Captured bytes per output stream.")
    total_memory_bytes: int = Field(
        default=1024 * _MiB,
        gt=0,
        description="Memory of all the sandbox's processes together, tmpfs, shm and memfd pages included "
        "(a memory cgroup, where the host gives one).",
    )
    cpus: float = Field(
        default=1.0, gt=0, le=1024, description="CPU cores' worth of time the sandbox may use at once."
    )
    workspace_bytes: int = Field(default=256 * _MiB, gt=0, description="Total size of the workspace's files.")
    workspace_files: int = Field(
        default=10_000, gt=0, description="Files and folders the workspace may hold."
    )
    tmp_bytes: int = Field(default=64 * _MiB, gt=0, description="Size of each of /tmp and /dev/shm.")

    def clamp(self, requested: Mapping[str, Any]) -> SandboxLimits:
        """Return these limits lowered by `requested`, never raised above `self`.

        Raises:
            SandboxError: a key is unknown, a value is invalid or above the maximum.
        """
        fields = type(self).model_fields
        for key in requested:
            if key not in fields:
                raise SandboxError(f"unknown sandbox limit {key!r}; known limits: {', '.join(fields)}")
        try:
            lowered = self.model_validate({**self.model_dump(), **requested})
        except ValidationError as exc:
            raise SandboxError(f"invalid sandbox limits: {exc.errors()[0]['msg']}") from None
        for key in requested:
            maximum = getattr(self, key)
            if getattr(lowered, key) > maximum:
                raise SandboxError(f"sandbox limit {key}={requested[key]!r} exceeds the maximum of {maximum}")
        return lowered
