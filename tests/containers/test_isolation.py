"""The container is the boundary: no network, memory exhaustion stays inside, leaks are swept."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Iterator

import anyio
import pytest

from openenv_mcp.containers import (
    LABEL,
    ContainerError,
    ContainerLimits,
    ContainerSession,
    DockerEngine,
    DockerProvider,
    image_tag,
)
from openenv_mcp.containers.engine import OWNER_LABEL
from openenv_mcp.containers.sweep import sweep_leaked

pytestmark = pytest.mark.docker

_MiB = 1024 * 1024
NO_POOL = ["--warm-pool", "0"]


async def run_python(session: ContainerSession, code: str) -> tuple[bool, str]:
    result = await session.call_tool("run_python", {"code": code})
    return result.is_error, json.dumps(result.structured_content) if result.structured_content else str(
        result.content
    )


@pytest.fixture
def host_listener() -> Iterator[socket.socket]:
    """A listener on the host's 127.0.0.1 that nothing from a container may reach."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.setblocking(False)
        yield listener
        with pytest.raises(BlockingIOError):
            listener.accept()


async def test_code_in_the_container_has_no_network(
    provider: DockerProvider, engine: DockerEngine, host_listener: socket.socket
) -> None:
    port = host_listener.getsockname()[1]
    probe = (
        "import socket\n"
        "def attempt(address):\n"
        "    try:\n"
        "        socket.create_connection(address, timeout=2).close()\n"
        "        return 'connected'\n"
        "    except OSError as exc:\n"
        "        return type(exc).__name__\n"
        f"print(attempt(('127.0.0.1', {port})), attempt(('192.0.2.1', 80)))"
    )
    with anyio.fail_after(90):
        async with provider.session("python", serve_args=NO_POOL) as session:
            assert engine.inspect(session.name)["HostConfig"]["NetworkMode"] == "none"
            assert not (await session.call_tool("reset", {"seed": 1})).is_error
            failed, output = await run_python(session, probe)
    assert not failed
    # Two walls: the seccomp filter refuses an AF_INET socket at all, and behind it the container
    # has no network (only loopback, where the host's 127.0.0.1 is not the container's).
    assert "PermissionError PermissionError" in output, output


async def test_a_memory_bomb_is_killed_inside_its_container_only(provider: DockerProvider) -> None:
    small = ContainerLimits(memory_bytes=160 * _MiB)
    bomb = "x = 'a' * (400 * 1024 * 1024)"  # under the sandbox's 512 MiB rlimit: the cgroup decides
    with anyio.fail_after(120):
        async with (
            provider.session("echo") as bystander,
            provider.session("python", serve_args=NO_POOL, limits=small) as victim,
        ):
            assert not (await victim.call_tool("reset", {"seed": 1})).is_error
            failed, output = await run_python(victim, bomb)
            assert failed and "killed" in output and "memory" in output, output
            # Read from outside the code: Landlock keeps the code itself out of /sys.
            both = (
                "cat /sys/fs/cgroup/memory.events 2>/dev/null || cat /sys/fs/cgroup/memory/memory.oom_control"
            )
            read = ["docker", "exec", victim.name, "sh", "-c", both]  # cgroup v2, else v1
            events = (await anyio.run_process(read)).stdout.decode()
            assert "oom_kill" in events and "oom_kill 0" not in events, events
            assert not (await bystander.call_tool("reset", {})).is_error
            assert (await victim.state()) is not None


async def test_a_server_out_of_memory_is_a_clear_error(
    provider: DockerProvider, engine: DockerEngine
) -> None:
    tiny = ContainerLimits(memory_bytes=24 * _MiB)
    with anyio.fail_after(60), pytest.raises(ContainerError, match="out of memory") as caught:
        async with provider.session("echo", limits=tiny):
            pass
    assert "24 MiB" in str(caught.value)


async def test_a_container_that_dies_is_a_clear_error(provider: DockerProvider, engine: DockerEngine) -> None:
    with anyio.fail_after(60):
        async with provider.session("echo") as session:
            await anyio.to_thread.run_sync(lambda: engine.inspect(session.name))
            await anyio.to_thread.run_sync(lambda: engine.kill(session.name))
            with pytest.raises(ContainerError, match=f"container {session.name}"):
                await session.call_tool("reset", {})


def test_the_sweep_removes_containers_whose_owner_has_gone(
    engine: DockerEngine, images: dict[str, str]
) -> None:
    gone = f"{os.uname().nodename}:{2**22 + 1}"  # above pid_max's default: never a live process
    name = "openenv-mcp-leaked-by-test"
    engine.run(
        image_tag("echo"),
        [],
        name=name,
        limits=ContainerLimits(),
        labels={LABEL: "1", OWNER_LABEL: gone},
    )
    assert name in sweep_leaked(engine)
    assert engine.state(name) is None


LAYER_PROBE = """
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
seen = {"uid": os.getuid(), "cwd_is_workspace": os.getcwd() != "/tmp"}
seen["seccomp"] = [l.split()[1] for l in open("/proc/self/status") if l.startswith("Seccomp:")][0]
seen["ptrace"] = (libc.ptrace(0, 0, 0, 0), ctypes.get_errno())
def attempt(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return type(exc).__name__
seen["inet"] = attempt(lambda: socket.socket(socket.AF_INET))
seen["write /tmp"] = attempt(lambda: open("/tmp/escaped", "w").write("x"))
seen["read the server"] = attempt(lambda: open("/opt/venv/pyvenv.cfg").read())
seen["server environ"] = attempt(lambda: open(f"/proc/{os.getppid()}/environ").read())
print(seen)
"""


async def test_code_in_the_container_runs_under_every_layer_but_namespaces(provider: DockerProvider) -> None:
    with anyio.fail_after(90):
        async with provider.session("python", serve_args=NO_POOL) as session:
            assert not (await session.call_tool("reset", {"seed": 1})).is_error
            failed, output = await run_python(session, LAYER_PROBE)
    assert not failed, output
    seen = eval(json.loads(output)["stdout"])
    assert seen["uid"] == 10001 and seen["cwd_is_workspace"]
    assert seen["seccomp"] == "2" and seen["ptrace"] == (-1, 1) and seen["inet"] == "PermissionError"
    assert seen["write /tmp"] == "PermissionError", "Landlock must confine writes to the workspace"
    assert seen["read the server"] == "PermissionError" and seen["server environ"] == "PermissionError"


def test_doctor_in_the_image_reports_the_layers(images: dict[str, str]) -> None:
    flags = ["--network", "none", *ContainerLimits().run_flags()]
    command = ["docker", "run", "--rm", *flags, "--entrypoint", "openenv-mcp", images["python"]]
    ran = subprocess.run(
        [*command, "doctor", "--sandbox", "process", "--json"], capture_output=True, text=True, timeout=120
    )
    layers = json.loads(ran.stdout)["layers"]
    present = {name for name, layer in layers.items() if layer["present"]}
    assert {"uid", "seccomp", "landlock"} <= present, layers
    assert "namespaces" not in present and ran.returncode == 1
