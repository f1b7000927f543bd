"""Running OpenEnv 0.10.0's client scripts (tests/openenv/clients) in OpenEnv's own virtual environment."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio

from benchmarks.peers.openenv import ensure_venv

__all__ = ["CLIENTS", "openenv_python", "run_client", "serve_command"]

CLIENTS = Path(__file__).with_name("clients")
ROOT = Path(__file__).resolve().parents[2]


def openenv_python() -> Path:
    """OpenEnv's python, installed on first use (CI's fresh machines too)."""
    return ensure_venv()


def serve_command(*envs: str, capacity: int = 64) -> list[str]:
    """`openenv-mcp serve ENVS` on port 0, as the tests run it."""
    return [sys.executable, "-m", "openenv_mcp", "serve", *envs, "--port", "0", "--capacity", str(capacity)]


async def run_client(script: str, argument: Any, *, seconds: float = 120.0) -> Any:
    """Run `clients/<script>.py` with `argument` (JSON) by OpenEnv's python; its JSON report."""
    python = await anyio.to_thread.run_sync(openenv_python)
    text = argument if isinstance(argument, str) else json.dumps(argument)
    command = [str(python), str(CLIENTS / f"{script}.py"), text]
    with anyio.fail_after(seconds):
        done = await anyio.run_process(command, cwd=ROOT, check=False, stderr=subprocess.PIPE)
    if done.returncode != 0:
        raise AssertionError(f"{script}.py failed ({done.returncode}):\n{done.stderr.decode()[-4000:]}")
    return json.loads(done.stdout)
