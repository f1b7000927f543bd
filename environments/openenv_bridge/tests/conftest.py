"""One echo remote and one game remote per test module that asks for them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from environments.openenv_bridge.tests.helpers import Remote

collect_ignore = ["remotes"]
"""The remotes import OpenEnv, which only its own virtual environment has."""


@pytest.fixture(scope="module")
def echo_remote() -> Iterator[Remote]:
    remote = Remote.start("echo_remote.py")
    yield remote
    remote.stop()


@pytest.fixture(scope="module")
def game_remote() -> Iterator[Remote]:
    remote = Remote.start("game_remote.py")
    yield remote
    remote.stop()
