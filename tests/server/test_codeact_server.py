"""A CodeAct environment served over MCP: code actions through `step`, a warm pool, no leaks."""

from __future__ import annotations

import logging
import os
from pathlib import PurePosixPath

import anyio
import pytest
from mcp.client.client import ConnectMode

from openenv_mcp import tool
from openenv_mcp.environment import CodeActEnvironment
from openenv_mcp.errors import SandboxUnavailableError
from openenv_mcp.sandbox import provider as provider_module
from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.sandbox.bubblewrap import SANDBOX_WORKER_PATH
from openenv_mcp.sandbox.processes import MARKER_PREFIX
from openenv_mcp.server import EnvServer
from tests.conftest import connect
from tests.sandbox.support import REPO

pytestmark = pytest.mark.sandbox


class Notebook(CodeActEnvironment):
    """A scratch notebook: code actions, and one tool to leave notes."""

    name = "notebook"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # pyright: ignore[reportArgumentType]
        self.notes: list[str] = []

    @tool
    def note(self, text: str) -> int:
        """Keep a note; returns how many notes there are."""
        self.notes.append(text)
        self.add_reward(1.0)
        return len(self.notes)


async def test_code_actions_over_mcp_use_the_warm_pool(era: ConnectMode) -> None:
    server = EnvServer(Notebook, warm_pool=2)
    provider = server.sandbox_provider
    assert provider is not None
    before = set(sandbox_processes())
    ours = f"{MARKER_PREFIX}{os.getpid()}-"  # this process's sandboxes, not other test runs'
    with anyio.fail_after(60):
        async with connect(server, era) as client:
            with anyio.fail_after(30):
                while provider.warm < 2:
                    await anyio.sleep(0.01)
            pooled = set(sandbox_processes(ours))
            reset = await client.call_tool("reset", {"seed": 1})
            assert reset.structured_content is not None
            episode_id = reset.structured_content["episode_id"]
            env = server.registry.get(episode_id).env
            assert isinstance(env, Notebook) and env.sandbox is not None
            assert env.sandbox.pid in pooled, "the episode's sandbox is not one the pool started before"
            action = {"type": "code", "code": "n = note('hello')\nprint('notes:', n)\nn + 1"}
            step = await client.call_tool("step", {"episode_id": episode_id, "action": action})
            assert step.structured_content is not None, step.content
            assert step.structured_content["reward"] == 1.0
            observation = step.structured_content["observation"]
            assert observation["stdout"] == "notes: 1\n" and observation["value"] == "2"
            assert observation["tool_calls"][0]["name"] == "note"
            direct = await client.call_tool("note", {"text": "again", "episode_id": episode_id})
            assert direct.structured_content == {"result": 2}
            await client.call_tool("close", {"episode_id": episode_id})
        await server.aclose()
    assert (provider.handed_out, provider.warm_hits, provider.cold_starts) == (1, 1, 0)
    assert server.registry.live == 0
    assert set(sandbox_processes()) - before == set()


async def test_an_exception_in_code_is_an_observation_with_a_sandbox_traceback(era: ConnectMode) -> None:
    server = EnvServer(Notebook, warm_pool=0)
    with anyio.fail_after(60):
        async with connect(server, era) as client:
            reset = await client.call_tool("reset", {})
            assert reset.structured_content is not None
            episode_id = reset.structured_content["episode_id"]
            action = {"type": "code", "code": "def f():\n    return 1 / 0\nf()"}
            step = await client.call_tool("step", {"episode_id": episode_id, "action": action})
            assert not step.is_error
            assert step.structured_content is not None
            error = step.structured_content["observation"]["error"]
            assert error["type"] == "ZeroDivisionError"
            assert 'File "<code>", line 2, in f' in error["traceback"]
            hidden = (REPO, ".venv", str(PurePosixPath(SANDBOX_WORKER_PATH).parent))
            assert not [path for path in hidden if path in error["traceback"]], error["traceback"]
        await server.aclose()


def test_running_unsandboxed_is_loud(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        EnvServer(Notebook, sandbox="none")
    assert "UNSAFE" in caplog.text


def test_a_missing_bwrap_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> str:
        raise SandboxUnavailableError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")

    monkeypatch.setattr(provider_module, "find_bwrap", missing)
    with pytest.raises(SandboxUnavailableError, match="apt-get install bubblewrap"):
        EnvServer(Notebook)


def test_find_bwrap_names_the_package_when_it_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    from openenv_mcp.sandbox import bubblewrap

    def nowhere(*_args: object) -> None:
        return None

    def denied(*_args: object) -> bool:
        return False

    monkeypatch.setattr(bubblewrap.shutil, "which", nowhere)
    monkeypatch.setattr(bubblewrap.os, "access", denied)
    with pytest.raises(SandboxUnavailableError, match="apt-get install bubblewrap"):
        bubblewrap.find_bwrap()
