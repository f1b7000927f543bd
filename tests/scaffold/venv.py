"""A virtual environment of its own with this checkout and generated packages installed editable.

What a user does after `openenv-mcp init`: a fresh venv (`uv venv`), then `uv pip install -e`
of openenv-mcp's checkout and of the new package. The package index is reachable where these
tests run, and uv's cache makes a repeated install take seconds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CHECKOUT", "Venv", "make_venv"]

CHECKOUT = Path(__file__).resolve().parents[2]
"""This source checkout, found from this file (never an absolute path of one machine)."""
INSTALL_SECONDS = 240


@dataclass(frozen=True)
class Venv:
    """A virtual environment; `run` runs one of its commands, bounded, and returns what it printed."""

    root: Path

    def bin(self, name: str) -> Path:
        return self.root / "bin" / name

    def run(
        self, *command: str | Path, cwd: Path | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        args = [str(self.bin(str(command[0]))), *map(str, command[1:])]
        return subprocess.run(
            args,
            cwd=cwd,
            env=_environ(self.root),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _environ(root: Path) -> dict[str, str]:
    """This process's environment with `root` as the active venv (not the project's own)."""
    environ = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    environ["VIRTUAL_ENV"] = str(root)
    environ["PATH"] = os.pathsep.join([str(root / "bin"), environ.get("PATH", "")])
    return environ


def make_venv(root: Path, editable: list[str], requirements: tuple[str, ...] = ()) -> Venv:
    """A Python 3.11 venv at `root` with each of `editable` installed editable, and `requirements`."""
    uv = shutil.which("uv")
    assert uv is not None, "these tests need uv (pip install uv)"
    created = subprocess.run(
        [uv, "venv", "--quiet", "--python", "3.11", str(root)],
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    install = [uv, "pip", "install", "--quiet", "--python", str(root / "bin" / "python")]
    install += [arg for path in editable for arg in ("-e", path)]
    done = subprocess.run(
        [*install, *requirements],
        env=_environ(root),
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return Venv(root)
