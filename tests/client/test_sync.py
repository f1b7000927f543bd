"""`SyncEnvClient`: the same client without await, on its own loop thread."""

from __future__ import annotations

import threading

from openenv_mcp.client import SyncEnvClient
from openenv_mcp.server import EnvServer
from openenv_mcp_echo import EchoEnvironment


def test_a_blocking_episode() -> None:
    server = EnvServer(EchoEnvironment)
    before = threading.active_count()
    with SyncEnvClient(server, read_timeout=10) as env:
        assert [t.name for t in env.tools()] == ["echo"]
        env.reset(seed=4, options={"max_steps": 3})
        result = env.step('{"name": "echo", "arguments": {"message": "sync"}}')
        assert result.observation == "sync" and env.state().step_count == 1
    assert server.registry.live == 0
    assert threading.active_count() == before


def test_close_twice_is_harmless() -> None:
    env = SyncEnvClient(EnvServer(EchoEnvironment), mode="legacy", read_timeout=10)
    env.reset()
    env.close()
    env.close()
