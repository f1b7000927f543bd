"""Environments that list their tools at runtime, on Ray: listed on a host, configured like the front door."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

import anyio
import mcp
import pytest

from openenv_mcp.ray import RayEpisodes, RayResources
from openenv_mcp.ray.remote import RemoteEpisode
from openenv_mcp.server import EnvServer
from openenv_mcp_mcp_proxy import McpProxyEnvironment
from openenv_mcp_mcp_proxy.config import CONFIG_VARIABLE, toolbox_config
from tests.ray.conftest import live_actors
from tests.ray.test_hosts import descendants

ABOUT = "The toolbox, configured by this test and served from Ray actors."


def toolboxes(pids: set[int]) -> set[int]:
    """The toolbox child servers among `pids`."""
    found: set[int] = set()
    for pid in pids:
        try:
            if b"toolbox.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.add(pid)
        except OSError:
            continue
    return found


async def test_a_proxy_lists_and_runs_its_child_on_the_hosts_with_the_front_doors_configuration(
    namespace: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {**toolbox_config().model_dump(mode="json"), "description": ABOUT}
    (tmp_path / "proxy.json").write_text(json.dumps(config))
    monkeypatch.setenv(CONFIG_VARIABLE, str(tmp_path / "proxy.json"))
    server = EnvServer(McpProxyEnvironment)
    resources = RayResources(num_cpus=0.01, episodes_per_actor=2)
    server.registry.provider = RayEpisodes(McpProxyEnvironment, namespace=namespace, resources=resources)
    with anyio.fail_after(120):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=60) as c:
            # Listed on a short-lived host with the configuration this process names: its text.
            assert server.server.description == ABOUT
            names = {t.name for t in (await c.list_tools()).tools}
            assert {"toolbox__echo", "toolbox__remember", "toolbox__recall"} <= names
            ids: list[str] = []
            for _ in range(2):
                opened = await c.call_tool("reset", {})
                assert opened.structured_content is not None
                ids.append(opened.structured_content["episode_id"])
            remote = RemoteEpisode.find(ids[0])
            assert remote is not None
            host = (await remote.where()).pid
            for episode_id in ids:
                echoed = await c.call_tool(
                    "toolbox__echo", {"message": episode_id[-6:], "episode_id": episode_id}
                )
                assert not echoed.is_error and episode_id[-6:] in str(echoed.content)
            # Both episodes' children run under their host; none under the front door.
            children = toolboxes(descendants(host))
            assert len(children) == 2
            assert not toolboxes(descendants(os.getpid()))
            state = await c.call_tool("state", {"episode_id": ids[1]})
            assert state.structured_content is not None and state.structured_content["step_count"] == 1
            await server.registry.close_all()
    with anyio.fail_after(30):
        while live_actors(namespace) or toolboxes(children):
            await anyio.sleep(0.2)


def remotes() -> set[int]:
    """The OpenEnv echo remotes running on this machine (the bridge's tests start them)."""
    found: set[int] = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if b"echo_remote.py" in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.add(int(entry))
            except OSError:
                continue
    return found


async def test_a_bridge_starts_its_remote_on_each_host_and_stops_every_one(
    namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from environments.openenv_bridge.tests.helpers import remote_command
    from openenv_mcp_openenv_bridge import OpenEnvBridgeEnvironment
    from openenv_mcp_openenv_bridge.config import COMMAND_VARIABLE

    monkeypatch.setenv(COMMAND_VARIABLE, shlex.join(remote_command("echo_remote.py")))
    before = remotes()
    server = EnvServer(OpenEnvBridgeEnvironment)
    resources = RayResources(num_cpus=0.01, episodes_per_actor=2)
    server.registry.provider = RayEpisodes(OpenEnvBridgeEnvironment, namespace=namespace, resources=resources)
    action = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "bridged"}}
    with anyio.fail_after(150):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=90) as c:
            assert "echo" in {t.name for t in (await c.list_tools()).tools}  # the remote's, listed on a host
            assert remotes() == before  # the listing's host stopped the remote it started
            ids: list[str] = []
            for _ in range(2):
                opened = await c.call_tool("reset", {"seed": 3})
                assert opened.structured_content is not None
                ids.append(opened.structured_content["episode_id"])
            for episode_id in ids:
                stepped = await c.call_tool("step", {"episode_id": episode_id, "action": action})
                assert stepped.structured_content is not None
                assert "bridged" in str(stepped.structured_content["observation"])
            remote = RemoteEpisode.find(ids[0])
            assert remote is not None
            started = remotes() - before
            assert len(started) == 1 and started <= descendants((await remote.where()).pid)  # one per host
            await server.registry.close_all()
    with anyio.fail_after(30):
        while live_actors(namespace) or remotes() - before:
            await anyio.sleep(0.2)


async def test_a_listing_no_node_can_place_is_a_clear_error(
    namespace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openenv_mcp.errors import OpenEnvError
    from openenv_mcp.ray import provider

    monkeypatch.setattr(provider, "LIST_TIMEOUT_SECONDS", 2.0)
    nowhere = RayResources(custom={"no_such_node": 1})
    episodes = RayEpisodes(McpProxyEnvironment, namespace=namespace, resources=nowhere)
    with (
        anyio.fail_after(30),
        pytest.raises(OpenEnvError, match="no Ray actor listed the tools of 'mcp_proxy'"),
    ):
        await episodes.list_tools()
    with anyio.fail_after(30):
        while live_actors(namespace):  # the unplaced actor is ended, not left pending
            await anyio.sleep(0.2)
