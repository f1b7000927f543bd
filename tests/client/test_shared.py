"""`SharedConnection`: many `EnvClient`s on one connection, their concurrent steps sent together."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest
from mcp.client.client import ConnectMode
from mcp.types import CallToolResult

from openenv_mcp.client import ClientError, EnvClient, RemoteStepResult, SharedConnection
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.errors import EpisodeClosedError
from openenv_mcp.server import EnvServer, Mode
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.testing import running_http
from openenv_mcp.trajectories import Recording
from openenv_mcp.transports import build_app
from openenv_mcp_echo import EchoEnvironment

CLIENTS = 16


def echo(message: str) -> ToolCallAction:
    return ToolCallAction(tool_name="echo", parameters={"message": message})


def calls_of(shared: SharedConnection) -> list[str]:
    """The tools the shared connection calls from now on, in order (its own `call`, wrapped)."""
    names: list[str] = []
    original: Callable[[str, dict[str, Any]], Awaitable[CallToolResult]] = shared.connection.call

    async def counted(name: str, arguments: dict[str, Any]) -> CallToolResult:
        names.append(name)
        return await original(name, arguments)

    shared.connection.call = counted  # type: ignore[method-assign]
    return names


async def play(env: EnvClient, seed: int) -> list[RemoteStepResult]:
    await env.reset(seed=seed, options={"max_steps": 3})
    return [await env.step(echo(f"{seed}-{n}" * (n + 1))) for n in range(3)]


async def test_concurrent_clients_step_together_and_get_what_their_own_connections_would(
    echo_server: EnvServer, era: ConnectMode
) -> None:
    alone: dict[int, list[RemoteStepResult]] = {}
    together: dict[int, list[RemoteStepResult]] = {}
    with anyio.fail_after(30):
        for seed in range(3):
            async with EnvClient(echo_server, mode=era) as env:
                alone[seed] = await play(env, seed)
        async with SharedConnection(echo_server, mode=era) as shared:
            assert shared.batched
            names = calls_of(shared)

            async def rollout(seed: int) -> None:
                async with shared.client() as env:
                    together[seed] = await play(env, seed)

            async with anyio.create_task_group() as tg:
                for seed in range(CLIENTS):
                    tg.start_soon(rollout, seed)
    for seed in range(3):
        assert [r.model_dump() for r in together[seed]] == [r.model_dump() for r in alone[seed]]
    assert together[5][2].truncated and together[5][2].step_count == 3
    steps = [n for n in names if n in ("echo", "step", "step_batch")]
    assert set(steps) == {"step_batch"} and len(steps) < CLIENTS * 3 / 4, steps  # few calls, 48 steps
    assert echo_server.registry.live == 0  # each client closed its episode


async def test_one_refused_step_is_its_clients_error_and_the_others_go_on(echo_server: EnvServer) -> None:
    with anyio.fail_after(30):
        async with (
            SharedConnection(echo_server) as shared,
            shared.client() as doomed,
            shared.client() as fine,
        ):
            await doomed.reset(seed=1)
            await fine.reset(seed=2)
            assert doomed.episode_id is not None
            await echo_server.registry.close(doomed.episode_id)
            got: dict[str, Any] = {}

            async def step(name: str, env: EnvClient) -> None:
                try:
                    got[name] = await env.step(echo("hello"))
                except ClientError as exc:
                    got[name] = exc

            async with anyio.create_task_group() as tg:
                tg.start_soon(step, "doomed", doomed)
                tg.start_soon(step, "fine", fine)
            assert isinstance(got["doomed"], EpisodeClosedError) and isinstance(got["doomed"], ClientError)
            assert isinstance(got["fine"], RemoteStepResult) and got["fine"].observation == "hello"
            again = await fine.step(echo("still here"))
            assert again.step_count == 2


async def test_a_cancelled_step_leaves_the_others_and_the_connection_working(echo_server: EnvServer) -> None:
    with anyio.fail_after(30):
        async with SharedConnection(echo_server) as shared, shared.client() as a, shared.client() as b:
            await a.reset(seed=1)
            await b.reset(seed=2)
            async with anyio.create_task_group() as tg:
                tg.start_soon(a.step, echo("never waited for"))
                tg.cancel_scope.cancel()
            result = await b.step(echo("b"))
            assert result.observation == "b"
            assert (await a.step(echo("a"))).observation == "a"


async def test_a_client_closing_leaves_the_connection_to_the_others(echo_server: EnvServer) -> None:
    with anyio.fail_after(30):
        async with SharedConnection(echo_server) as shared:
            async with shared.client() as first:
                await first.reset(seed=1)
            async with shared.client() as second:
                await second.reset(seed=2)
                assert (await second.step(echo("x"))).observation == "x"
        with pytest.raises(ClientError, match="not open"):
            async with shared.client():
                pass
        assert echo_server.registry.live == 0


async def test_a_server_without_step_batch_is_shared_unbatched_and_batched_true_says_why() -> None:
    server = EnvServer(EchoEnvironment, mode=Mode.PRODUCTION)  # no control tools at all
    with anyio.fail_after(30):
        async with SharedConnection(server) as shared:
            assert not shared.batched and shared.connection.coalescer is None
        with pytest.raises(ValueError, match="no step_batch tool"):
            async with SharedConnection(server, batched=True):
                pass


async def test_a_lone_step_goes_as_its_episodes_own_call(echo_server: EnvServer) -> None:
    with anyio.fail_after(30):
        async with SharedConnection(echo_server) as shared, shared.client() as env:
            await env.reset(seed=1)
            names = calls_of(shared)
            assert (await env.step(echo("alone"))).observation == "alone"
            assert names == ["echo"]


async def test_batched_false_sends_each_step_as_its_own_call(echo_server: EnvServer) -> None:
    with anyio.fail_after(30):
        async with SharedConnection(echo_server, batched=False) as shared:
            names = calls_of(shared)
            async with shared.client() as a, shared.client() as b:
                await a.reset(seed=1)
                await b.reset(seed=2)
                async with anyio.create_task_group() as tg:
                    tg.start_soon(a.step, echo("a"))
                    tg.start_soon(b.step, echo("b"))
            assert names.count("echo") == 2 and "step_batch" not in names


async def test_shared_clients_record_their_own_trajectories(echo_server: EnvServer) -> None:
    recording = Recording()
    with anyio.fail_after(30):
        async with SharedConnection(echo_server) as shared:

            async def rollout(seed: int) -> None:
                async with shared.client(recording=recording) as env:
                    await play(env, seed)

            async with anyio.create_task_group() as tg:
                for seed in range(4):
                    tg.start_soon(rollout, seed)
    recorded = {t.start.seed or 0: t for t in recording.trajectories()}
    assert sorted(recorded) == [0, 1, 2, 3]
    for seed, trajectory in recorded.items():
        assert [step.observation for step in trajectory.steps] == [f"{seed}-{n}" * (n + 1) for n in range(3)]
        assert trajectory.ended == "truncated"


async def test_many_clients_over_http() -> None:
    app = build_app([EnvServer(EchoEnvironment, limits=RegistryLimits(capacity=256))])
    results: list[RemoteStepResult] = []
    with anyio.fail_after(60):
        async with running_http(app) as base, SharedConnection(f"{base}/envs/echo/mcp") as shared:

            async def rollout(seed: int) -> None:
                async with shared.client() as env:
                    await env.reset(seed=seed)
                    results.append(await env.step(echo(f"m{seed}")))

            async with anyio.create_task_group() as tg:
                for seed in range(64):
                    tg.start_soon(rollout, seed)
    assert sorted(r.observation for r in results) == sorted(f"m{seed}" for seed in range(64))
