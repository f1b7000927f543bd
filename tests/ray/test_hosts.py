"""Many episodes per actor: hosts filled and ended, episodes kept apart, a crashed host, a cancelled step."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import anyio
import mcp
import pytest
from mcp import MCPError

from openenv_mcp.episodes import in_batch
from openenv_mcp.errors import EpisodeClosedError, EpisodeLostError, OpenEnvError
from openenv_mcp.ray import EpisodePool, RayEpisodes, RayResources
from openenv_mcp.ray.remote import RemoteEpisode
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import StepResult, ToolCallAction
from openenv_mcp_echo import EchoEnvironment
from tests.ray.conftest import live_actors
from tests.ray.slow import STOPPED_VARIABLE, SlowEnvironment

THREE = RayResources(num_cpus=0.01, episodes_per_actor=3)


def echo(message: str) -> ToolCallAction:
    return ToolCallAction(tool_name="echo", parameters={"message": message})


async def test_a_pool_fills_hosts_keeps_their_episodes_apart_and_ends_every_host(namespace: str) -> None:
    pool = EpisodePool("echo", namespace=namespace, resources=THREE)
    try:
        with anyio.fail_after(60):
            opened = [(await pool.open(seed=i))[0] for i in range(7)]
            assert len(live_actors(namespace)) == 3  # 3 + 3 + 1, the last host with two leases unused
            pids = [(await e.where()).pid for e in opened]
            assert len(set(pids[:3])) == 1 and len(set(pids)) == 3
            hosts = {e.episode_id.split(".")[2] for e in opened}
            assert len(hosts) == 3
            for i, episode in enumerate(opened):
                for _ in range(i):
                    await episode.step(echo(f"e{i}"))
            states = [await e.state() for e in opened]
            assert [(s.step_count, s.seed) for s in states] == [(i, i) for i in range(7)]
            # A batch is shared out by host: one call per host, whatever its number of steps.
            stats = [await e.remote.call("stats") for e in opened[::3]]
            batch = await pool.step_batch([(e, echo(f"b{i}")) for i, e in enumerate(opened)])
            assert [r.observation for r in batch if isinstance(r, StepResult)] == [f"b{i}" for i in range(7)]
            after = [await e.remote.call("stats") for e in opened[::3]]
            assert [(a.steps - b.steps, a.calls - b.calls) for a, b in zip(after, stats, strict=True)] == [
                (3, 1),
                (3, 1),
                (1, 1),
            ]
            # A closed episode is closed on its host; its neighbours go on, and the host stays.
            await opened[0].close()
            with pytest.raises(EpisodeClosedError):
                await opened[0].step(echo("after close"))
            with pytest.raises(EpisodeClosedError):  # a closed episode's handle never resets anew
                await opened[0].reset()
            assert (await opened[1].step(echo("still"))).observation == "still"
            assert len(live_actors(namespace)) == 3
            # The first host ends with its last episode: all its leases were placed.
            await opened[1].close()
            await opened[2].close()
            assert len(live_actors(namespace)) == 2
    finally:
        await pool.close_all()
    assert live_actors(namespace) == []  # the last host, its unused leases retired, ended too


async def test_a_front_door_places_many_episodes_per_actor_and_another_adopts_them(namespace: str) -> None:
    first, second = EnvServer(EchoEnvironment), EnvServer(EchoEnvironment)
    for server in (first, second):
        server.registry.provider = RayEpisodes(EchoEnvironment, namespace=namespace, resources=THREE)
    with anyio.fail_after(90):
        async with (
            mcp.Client(first.server, mode="2026-07-28", read_timeout_seconds=60) as a,
            mcp.Client(second.server, mode="2026-07-28", read_timeout_seconds=60) as b,
        ):
            ids: list[str] = []
            for _ in range(4):
                opened = await a.call_tool("reset", {})
                assert opened.structured_content is not None
                ids.append(opened.structured_content["episode_id"])
            assert len(live_actors(namespace)) == 2
            steps = [{"episode_id": e, "action": {"type": "tool_call", "tool_name": "echo",
                      "parameters": {"message": e[-4:]}}} for e in ids]  # fmt: skip
            hosts = [RemoteEpisode.find(e) for e in (ids[0], ids[3])]
            before = [await h.call("stats") for h in hosts if h is not None]
            batch = await b.call_tool("step_batch", {"steps": steps})
            assert batch.structured_content is not None
            assert [r["observation"] for r in batch.structured_content["results"]] == [e[-4:] for e in ids]
            # The front door shared the batch out by host: one call to each, for 3 steps and 1.
            after = [await h.call("stats") for h in hosts if h is not None]
            assert [(n.steps - o.steps, n.calls - o.calls) for n, o in zip(after, before, strict=True)] == [
                (3, 1),
                (1, 1),
            ]
            await second.registry.close_all()  # b closes the episodes it adopted: both hosts had all
            assert len(live_actors(namespace)) == 1  # leases placed but the second (one unused) stays
            await first.registry.close_all()
    assert live_actors(namespace) == []


async def test_a_crashed_host_loses_all_its_episodes_and_no_other(namespace: str) -> None:
    pool = EpisodePool("echo", namespace=namespace, resources=THREE)
    try:
        with anyio.fail_after(60):
            opened = [(await pool.open())[0] for _ in range(5)]
            doomed = await opened[3].where()  # the host being filled: two episodes, one lease left
            os.kill(doomed.pid, signal.SIGKILL)  # its worker process dies: not a close
            results = await pool.step_batch([(e, echo("after")) for e in opened])
            kinds = [r.observation if isinstance(r, StepResult) else r.kind for r in results]
            assert kinds == ["after"] * 3 + [EpisodeLostError.kind] * 2
            # The next episode goes to a new host, never to the lost one's last lease.
            episode, _ = await pool.open()
            assert (await episode.step(echo("new"))).observation == "new"
            assert (await episode.where()).pid != doomed.pid
    finally:
        await pool.close_all()
    with anyio.fail_after(30):
        while live_actors(namespace):  # the crashed host: until the cluster marks it dead
            await anyio.sleep(0.2)


async def test_a_front_door_places_nothing_more_on_a_host_it_found_lost(namespace: str) -> None:
    server = EnvServer(EchoEnvironment)
    server.registry.provider = RayEpisodes(EchoEnvironment, namespace=namespace, resources=THREE)
    action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "m"}}
    with anyio.fail_after(90):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=60) as c:
            first = await c.call_tool("reset", {})
            assert first.structured_content is not None
            episode_id = first.structured_content["episode_id"]
            remote = RemoteEpisode.find(episode_id)
            assert remote is not None
            doomed = await remote.where()
            os.kill(doomed.pid, signal.SIGKILL)
            lost = await c.call_tool("step", {"episode_id": episode_id, "action": action})
            assert lost.is_error and "was lost" in str(lost.content)
            again = await c.call_tool("reset", {})  # the host had two leases left: not used
            assert again.structured_content is not None and not again.is_error
            other = RemoteEpisode.find(again.structured_content["episode_id"])
            assert other is not None and (await other.where()).pid != doomed.pid
            await server.registry.close_all()
    with anyio.fail_after(30):
        while live_actors(namespace):
            await anyio.sleep(0.2)


async def test_a_cancelled_step_is_cancelled_on_its_host(namespace: str) -> None:
    pool = EpisodePool(SlowEnvironment, namespace=namespace, resources=THREE)
    wait: dict[str, Any] = {"seconds": 600}
    try:
        with anyio.fail_after(60):
            episode, _ = await pool.open()
            with anyio.move_on_after(2):
                await episode.step(ToolCallAction(tool_name="wait", parameters=wait))
            # The host's step was cancelled: the episode's lock is free and the cancel counted.
            with anyio.fail_after(10):
                while (await episode.state()).extra["cancelled"] != 1:
                    await anyio.sleep(0.1)
                woke = await episode.step(ToolCallAction(tool_name="wait", parameters={"seconds": 0}))
            assert woke.observation == "woke"
    finally:
        await pool.close_all()


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (a host's sandboxes are its children)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found: set[int] = set()
    grew = {pid}
    while grew:
        grew = {child for child, parent in parents.items() if parent in grew} - found
        found |= grew
    return found


async def test_a_code_environments_sandboxes_run_on_its_host_and_none_is_left(namespace: str) -> None:
    pool = EpisodePool(
        "python", namespace=namespace, resources=RayResources(num_cpus=0.1, episodes_per_actor=2)
    )
    code = "import os\nprint('pid', os.getpid())"
    try:
        with anyio.fail_after(120):
            opened: list[Any] = []
            sandboxes: list[set[int]] = []
            host = 0
            for _ in range(2):
                before = descendants(host) if host else set[int]()
                episode, _ = await pool.open(seed=1)
                host = host or (await episode.where()).pid
                assert (await episode.where()).pid == host  # both episodes on one host
                ran = await episode.step(ToolCallAction(tool_name="run_python", parameters={"code": code}))
                assert "pid" in str(ran.observation)
                # The episode's sandbox started under the host's process: on the host's node.
                sandboxes.append(descendants(host) - before)
                assert sandboxes[-1]
                opened.append(episode)
            # Closing one episode ends its sandbox, on a host that stays for the other.
            await opened[0].close()
            with anyio.fail_after(10):
                while sandboxes[0] & descendants(host):
                    await anyio.sleep(0.1)
            assert sandboxes[1] <= descendants(host)
            again = await opened[1].step(ToolCallAction(tool_name="run_python", parameters={"code": "1+1"}))
            assert "2" in str(again.observation)
    finally:
        await pool.close_all()
    with anyio.fail_after(30):
        while descendants(host) or live_actors(namespace):  # sandboxes, then the host, all gone
            await anyio.sleep(0.2)


async def test_a_host_that_ends_stops_what_its_episodes_shared_first(
    namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    said = tmp_path / "stopped.txt"
    monkeypatch.setenv(STOPPED_VARIABLE, str(said))  # carried to the host with the class's config
    pool = EpisodePool(SlowEnvironment, namespace=namespace, resources=THREE)
    with anyio.fail_after(60):
        opened = [(await pool.open())[0] for _ in range(3)]
        host = (await opened[0].where()).pid
        for episode in opened[:2]:
            await episode.close()
        assert not said.exists()  # an episode is still live there
        await opened[2].close()
        # The class's server_stopped ran in the host before the host ended.
        assert said.read_text() == f"stopped in {host}\n"
        await pool.close_all()


async def test_a_slow_step_holds_no_other_and_a_cancelled_batch_is_cancelled_on_its_host(
    namespace: str,
) -> None:
    server = EnvServer(SlowEnvironment)
    server.registry.provider = RayEpisodes(SlowEnvironment, namespace=namespace, resources=THREE)
    wait = {"type": "tool_call", "tool_name": "wait", "parameters": {"seconds": 600}}
    awake = {"type": "tool_call", "tool_name": "wait", "parameters": {"seconds": 0}}

    async def cancelled(c: mcp.Client, episode_id: str, times: int) -> None:
        remote = RemoteEpisode.find(episode_id)
        assert remote is not None
        with anyio.fail_after(10):  # the host's step stopped (asked of the host: the front door's
            while (await remote.describe())[1].extra["cancelled"] != times:  # mirror is its last answer)
                await anyio.sleep(0.1)
            again = await c.call_tool("step", {"episode_id": episode_id, "action": awake})
            assert not again.is_error

    with anyio.fail_after(90):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=60) as c:
            ids: list[str] = []
            for _ in range(2):
                opened = await c.call_tool("reset", {})
                assert opened.structured_content is not None
                ids.append(opened.structured_content["episode_id"])

            async def slow(arguments: dict[str, Any], tool: str = "step") -> None:
                with pytest.raises(MCPError, match=r"(?i)timed out"):  # the client cancels it then
                    await c.call_tool(tool, arguments, read_timeout_seconds=3)

            async with anyio.create_task_group() as tg:
                # Two steps of their own on one host, at once: the quick one is not held.
                tg.start_soon(slow, {"episode_id": ids[0], "action": wait})  # sent in the same turn
                with anyio.fail_after(2.5):  # before the slow step's timeout
                    woke = await c.call_tool("step", {"episode_id": ids[1], "action": awake})
                assert woke.structured_content is not None
                assert woke.structured_content["observation"] == "woke"
            await cancelled(c, ids[0], 1)
            # A batch's share goes as one call; cancelling the batch stops its slow step there.
            steps = [{"episode_id": ids[0], "action": wait}, {"episode_id": ids[1], "action": awake}]
            await slow({"steps": steps}, "step_batch")
            await cancelled(c, ids[0], 2)
            await server.registry.close_all()


async def test_a_front_door_that_stops_under_a_shared_call_answers_its_entries(namespace: str) -> None:
    provider = RayEpisodes(SlowEnvironment, namespace=namespace, resources=THREE)
    wait = ToolCallAction(tool_name="wait", parameters={"seconds": 600})
    envs = [provider.environment() for _ in range(2)]
    for env in envs:
        env.episode_id = provider.new_id(None)
        await env.reset()
    answers: list[BaseException | object] = []

    async def step(env: Any) -> None:
        try:
            answers.append(await env.step(wait))
        except OpenEnvError as exc:
            answers.append(exc)

    with anyio.fail_after(60):
        async with anyio.create_task_group() as callers:
            async with provider.running():
                with in_batch():  # both in one share, on one host
                    for env in envs:
                        callers.start_soon(step, env)
                await anyio.sleep(1)
            # The batcher stopped with the share under way: each caller is answered, none waits on.
            with anyio.fail_after(5):
                while len(answers) < 2:
                    await anyio.sleep(0.05)
        assert all(isinstance(a, OpenEnvError) and "server stopped" in str(a) for a in answers)
        for env in envs:
            await env.close()
        await provider.release()
