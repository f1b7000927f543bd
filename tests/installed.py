"""Every installed environment, ready to play in the sweeps: the bridge gets an OpenEnv remote of its own.

`openenv_bridge` serves a remote OpenEnv environment and has none until one is named; here it
bridges the echo remote of its own tests (OpenEnv 0.10.0 in its own venv), started for the sweep.
"""

from __future__ import annotations

from collections.abc import Generator
from contextlib import contextmanager

from environments.openenv_bridge.tests.helpers import Remote, bridged
from openenv_mcp import Environment, discovery
from openenv_mcp_openenv_bridge import BridgeConfig

__all__ = ["NEEDS_A_REMOTE", "installed"]

NEEDS_A_REMOTE = frozenset({"openenv_bridge"})


@contextmanager
def installed(name: str) -> Generator[type[Environment]]:
    """The class of the installed environment `name`; a bridge's bridges a running echo remote."""
    if name not in NEEDS_A_REMOTE:
        yield discovery.load(name)
        return
    remote = Remote.start("echo_remote.py")
    try:
        yield bridged(BridgeConfig(url=remote.url))
    finally:
        remote.stop()
