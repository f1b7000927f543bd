"""Serving apps to a real browser: an app in a thread of its own, and Debian's Chromium found.

Playwright's sync API runs the browser from the test's thread, so the server runs on an event
loop in another thread (an anyio blocking portal) and the test may still look at its episodes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal

from openenv_mcp.auth import Authenticator
from openenv_mcp.environment import Environment
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
"""Debian's `chromium` package: the real binary, then its wrapper script (which prints noise)."""


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def chromium() -> str:
    """Debian's Chromium; a test without it skips, and fails under CI=true (CI must not pass by skipping)."""
    for path in (*CHROMIUM_PATHS, shutil.which("chromium") or ""):
        if path and os.access(path, os.X_OK):
            return path
    why = "no Chromium: apt-get install -y chromium (scripts/setup-system.sh)"
    if in_ci():
        pytest.fail(f"CI=true and {why}")
    pytest.skip(why)


@dataclass
class Served:
    """An app serving `servers` on 127.0.0.1: its base URL, and a way to run code on its loop."""

    base: str
    servers: dict[str, EnvServer]
    portal: BlockingPortal
    extra: dict[str, Any] = field(default_factory=dict[str, Any])

    def play_url(self, env: str) -> str:
        return f"{self.base}/envs/{env}/play"

    def environment(self, env: str, episode_id: str) -> Environment:
        """The live episode's environment, in this process (to read what the page cannot see)."""
        episode = self.servers[env].registry.peek(episode_id)
        assert episode is not None, f"no live {env} episode {episode_id!r}"
        return episode.env


@contextmanager
def serving(servers: list[EnvServer], authenticator: Authenticator | None = None) -> Generator[Served]:
    """Serve `servers` over HTTP in a thread until the block ends."""
    app = build_app(servers, authenticator=authenticator)
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(running_http(app)) as base:
        yield Served(base, {s.name: s for s in servers}, portal)
