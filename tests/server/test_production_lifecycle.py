"""Production's stateless calls: each runs in an episode of its own, closed when the call ends."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from openenv_mcp.client.results import error_kind
from openenv_mcp.episodes import Caller, RegistryLimits
from openenv_mcp.errors import AtCapacityError
from openenv_mcp.sandbox import sandbox_processes
from openenv_mcp.server import META_STEP, EnvServer, Mode
from openenv_mcp.testing import text
from openenv_mcp_echo import EchoEnvironment
from openenv_mcp_python import PythonEnvironment
from openenv_mcp_wordle import WordleEnvironment
from tests.conftest import connect


async def test_stateless_calls_cannot_fill_the_capacity() -> None:
    """The review's lock-out: six calls from one client took a capacity of six from everyone."""
    server = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION, limits=RegistryLimits(capacity=2))
    with anyio.fail_after(30):
        async with connect(server, "2026-07-28") as first, connect(server, "2026-07-28") as second:
            for n in range(20):
                result = await (first if n % 2 else second).call_tool("echo", {"message": f"m{n}"})
                assert not result.is_error, result.content
                assert (result.meta or {})[META_STEP]["one_call"] is True
                assert "reward" not in (result.meta or {})[META_STEP]
            assert server.registry.live == 0


async def test_a_legacy_session_keeps_its_default_episode() -> None:
    server = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION)
    with anyio.fail_after(30):
        async with connect(server, "legacy") as client:
            first = await client.call_tool("echo", {"message": "a"})
            second = await client.call_tool("echo", {"message": "b"})
            ids = {(r.meta or {})[META_STEP]["episode_id"] for r in (first, second)}
            assert len(ids) == 1 and "one_call" not in (second.meta or {})[META_STEP]
            assert server.registry.live == 1
        assert server.registry.live == 0


@pytest.mark.sandbox
async def test_a_stateless_code_call_leaves_no_sandbox() -> None:
    server = EnvServer(PythonEnvironment, mode=Mode.PRODUCTION, warm_pool=0)
    before = set(sandbox_processes())
    with anyio.fail_after(60):
        async with connect(server, "2026-07-28") as client:
            for _ in range(3):
                listed = await client.call_tool("list_files", {})
                assert not listed.is_error, listed.content
            assert server.registry.live == 0
            assert set(sandbox_processes()) - before == set()


async def test_an_ended_episode_renews_in_a_session_and_errors_name_no_hidden_tool() -> None:
    server = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION, limits=RegistryLimits(capacity=1))
    with anyio.fail_after(30):
        async with connect(server, "legacy") as client:
            first = await client.call_tool("echo", {"message": "a"})
            episode = (first.meta or {})[META_STEP]["episode_id"]
            server.registry.get(episode).env.truncated = True  # as a step budget would end it
            renewed = await client.call_tool("echo", {"message": "b"})
            assert not renewed.is_error and (renewed.meta or {})[META_STEP]["step_count"] == 1
            # The episode started over: its new briefing comes before the result.
            assert text(renewed).endswith("comes back to you.\n\nb")
            server.registry.get(episode).env.truncated = True
            async with connect(server, "2026-07-28") as other:
                ended = await other.call_tool("echo", {"message": "c", "episode_id": episode})
                assert (
                    ended.is_error
                    and "reset" not in str(ended.content)
                    and "open_episode" in str(ended.content)
                )
                gone = await other.call_tool("echo", {"message": "d", "episode_id": "forged"})
                assert "reset" not in str(gone.content) and "open_episode" in str(gone.content)
            with pytest.raises(AtCapacityError) as refused:
                await server.registry.create(caller=Caller(control=False))
            assert "with close," not in str(refused.value) and "close_episode" in str(refused.value)


async def test_open_episode_keeps_state_across_stateless_calls_and_shows_the_briefing() -> None:
    """SEP-2567's handle pattern where reset is hidden: open_episode mints it, close_episode returns it."""
    server = EnvServer(WordleEnvironment, mode=Mode.PRODUCTION)
    with anyio.fail_after(30):
        async with connect(server, "2026-07-28") as client:
            listed = [tool.name for tool in (await client.list_tools()).tools]
            assert listed == ["open_episode", "close_episode", "guess", "letters"]
            opened = await client.call_tool("open_episode", {"seed": 3})
            data: dict[str, Any] = opened.structured_content or {}
            episode = str(data["episode_id"])
            assert "Guess the secret 5-letter word" in text(opened)
            assert set(data) == {"episode_id", "observation"}  # no info, no reward
            for n in (1, 2):
                guessed = await client.call_tool("guess", {"word": "crane", "episode_id": episode})
                assert not guessed.is_error and (guessed.meta or {})[META_STEP]["step_count"] == n
                assert "reward" not in (guessed.meta or {})[META_STEP]
            closed = await client.call_tool("close_episode", {"episode_id": episode})
            assert (closed.structured_content or {})["closed"] is True and server.registry.live == 0
            after = await client.call_tool("guess", {"word": "crane", "episode_id": episode})
            assert error_kind(after) == "episode_closed" and "open_episode" in text(after)
            assert "reset" not in text(after)
            again = await client.call_tool("close_episode", {"episode_id": episode})
            assert error_kind(again) == "episode_closed"
            hidden = await client.call_tool("reset", {})
            assert error_kind(hidden) == "unknown_tool"
            assert text(hidden).endswith("open_episode, close_episode, guess, letters")
            bad = await client.call_tool("open_episode", {"seed": "three"})
            assert error_kind(bad) == "invalid_arguments"
            assert server.registry.live == 0


async def test_a_training_server_lists_no_handle_tools_to_the_trainer() -> None:
    server = EnvServer(EchoEnvironment)
    async with connect(server, "2026-07-28") as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        assert "open_episode" not in listed and "reset" in listed
        refused = await client.call_tool("open_episode", {})
        assert error_kind(refused) == "unknown_tool"
