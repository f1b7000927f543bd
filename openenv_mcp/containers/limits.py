"""Resource limits of one environment container, rendered for the SDK and for `docker run`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ContainerLimits"]

_MiB = 1024 * 1024


class ContainerLimits(BaseModel):
    """What one environment container may use. The container is the isolation boundary.

    >>> ContainerLimits(memory_bytes=256 * 1024 * 1024).run_flags()[:4]
    ['--memory', '268435456', '--memory-swap', '268435456']
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    memory_bytes: int = Field(default=1024 * _MiB, gt=0, description="Memory of all processes, no swap.")
    cpus: float = Field(default=1.0, gt=0, description="CPU cores, as a CFS quota.")
    pids: int = Field(default=256, gt=0, description="Processes and threads alive at once.")
    tmp_bytes: int = Field(default=64 * _MiB, gt=0, description="Size of the writable /tmp (tmpfs).")
    read_only: bool = Field(default=True, description="Mount the image's root filesystem read-only.")

    def tmpfs_options(self) -> str:
        return f"rw,nosuid,nodev,size={self.tmp_bytes},mode=1777"

    def run_flags(self) -> list[str]:
        """The `docker run` flags for these limits, with the hardening every container gets."""
        flags = ["--memory", str(self.memory_bytes), "--memory-swap", str(self.memory_bytes)]
        flags += ["--cpus", f"{self.cpus:g}", "--pids-limit", str(self.pids)]
        flags += ["--tmpfs", f"/tmp:{self.tmpfs_options()}", "--cap-drop", "ALL"]
        flags += ["--security-opt", "no-new-privileges"]
        return [*flags, "--read-only"] if self.read_only else flags

    def sdk_options(self) -> dict[str, Any]:
        """The same limits as keyword arguments of the docker SDK's `containers.run`."""
        return {
            "mem_limit": self.memory_bytes,
            "memswap_limit": self.memory_bytes,
            "nano_cpus": round(self.cpus * 1e9),
            "pids_limit": self.pids,
            "tmpfs": {"/tmp": self.tmpfs_options()},
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "read_only": self.read_only,
        }
