"""Hostile code: every attack ends in a clear result, harms neither the host nor a neighbour."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import anyio
import pytest

from openenv_mcp.sandbox import BubblewrapSandbox, SandboxLimits, sandbox_processes

from .support import REPO, assert_recovers, attack, close_and_check, started

pytestmark = pytest.mark.sandbox


async def test_fork_bomb_is_contained(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox) -> None:
    result = await attack(sandbox, bystander, "import os\nwhile True:\n    os.fork()")
    assert result.error is not None or result.timed_out
    await assert_recovers(sandbox)


async def test_popen_bomb_is_contained(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox) -> None:
    code = "import subprocess\nwhile True:\n    subprocess.Popen(['sleep', '1000'])"
    result = await attack(sandbox, bystander, code)
    assert (
        result.error is not None and result.error.type in {"BlockingIOError", "OSError"}
    ) or result.timed_out
    await assert_recovers(sandbox)


@pytest.mark.parametrize(
    "code",
    ["x = bytearray(10**10)", "chunks = []\nwhile True:\n    chunks.append(bytearray(10**7))"],
    ids=["huge", "growing"],
)
async def test_memory_bomb_is_a_memory_error(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, code: str
) -> None:
    result = await attack(sandbox, bystander, code)
    assert (result.error is not None and result.error.type == "MemoryError") or result.killed is not None
    await assert_recovers(sandbox)


@pytest.mark.parametrize(
    "code",
    ["while True:\n    pass", "import time\ntime.sleep(10**6)", "while True:\n    print('x' * 1000)"],
    ids=["spin", "sleep", "output"],
)
async def test_wall_clock_kills_and_a_fresh_worker_answers(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, code: str
) -> None:
    await sandbox.execute("state = 1")
    result = await attack(sandbox, bystander, code)
    assert result.timed_out
    assert result.killed == "wall-clock limit of 2.0 s exceeded; the worker was killed and its state is lost"
    assert sandbox_processes(sandbox.marker) == []
    await assert_recovers(sandbox)
    with anyio.fail_after(10):
        lost = await sandbox.execute("state")
    assert lost.error is not None and lost.error.type == "NameError"


async def test_no_network(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        code = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)"
        result = await attack(sandbox, bystander, code)
        assert result.error is not None and result.error.type in {
            "ConnectionRefusedError",
            "OSError",
            "PermissionError",
        }
        with pytest.raises(BlockingIOError):
            listener.accept()


@pytest.mark.parametrize("path", ["/etc/shadow", f"{REPO}/pyproject.toml", str(Path.home())])
async def test_host_files_are_absent(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, path: str
) -> None:
    assert await anyio.Path(path).exists()  # on the host (the home folder: open() would say it is one)
    result = await attack(sandbox, bystander, f"open({path!r}).read()")
    assert result.error is not None and result.error.type == "FileNotFoundError"


async def test_writes_outside_the_workspace_fail(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    result = await attack(sandbox, bystander, "open('/usr/x', 'w')")
    assert result.error is not None and result.error.type in {"OSError", "PermissionError"}
    assert not await anyio.Path("/usr/x").exists()
    ok = await sandbox.execute("open('/tmp/scratch-openenv', 'w').write('ok')")
    assert ok.error is None and not await anyio.Path("/tmp/scratch-openenv").exists()


async def test_ctypes_cannot_kill_anything_outside(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    code = "import ctypes\nlibc = ctypes.CDLL(None)\nlibc.kill(1, 9), libc.syscall(62, 1, 9)"
    result = await attack(sandbox, bystander, code)
    assert result.error is None or result.killed is not None
    await assert_recovers(sandbox)


async def test_host_pid_is_unreachable(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox) -> None:
    result = await attack(sandbox, bystander, f"import os\nos.kill({os.getpid()}, 9)")
    assert result.error is not None and result.error.type == "ProcessLookupError"


async def test_proc_shows_only_sandbox_pids(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox) -> None:
    result = await attack(
        sandbox, bystander, "import os\nsorted(int(p) for p in os.listdir('/proc') if p.isdigit())"
    )
    assert result.value is not None
    pids: list[int] = eval(result.value)
    assert len(pids) <= 3 and max(pids) <= 3


async def test_host_environment_is_invisible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENENV_TEST_SECRET", "hunter2")
    box = await started()
    try:
        with anyio.fail_after(10):
            result = await box.execute("import os\nsorted(os.environ)")
        assert result.value == "['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE']"
        with anyio.fail_after(10):
            result = await box.execute("open('/proc/1/environ', 'rb').read()")
        assert "hunter2" not in result.render()
    finally:
        await close_and_check(box)


async def test_finalizer_spawning_a_sleeper_dies_with_the_sandbox() -> None:
    box = await started()
    code = (
        "import subprocess\nclass Spawner:\n    def __del__(self):\n"
        "        subprocess.Popen(['sleep', '1000'])\nspawner = Spawner()\ndel spawner"
    )
    with anyio.fail_after(10):
        assert (await box.execute(code)).error is None
    assert len(sandbox_processes(box.marker)) >= 4
    await close_and_check(box)


async def test_finalizer_looping_forever_is_killed() -> None:
    box = await started(SandboxLimits(wall_seconds=1.0))
    code = "class Looper:\n    def __del__(self):\n        while True:\n            pass\n"
    code += "looper = Looper()\ndel looper"
    with anyio.fail_after(10):
        result = await box.execute(code)
    assert result.timed_out
    assert sandbox_processes(box.marker) == []
    await close_and_check(box)


async def test_pid_one_shows_no_host_secrets_or_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENENV_TEST_SECRET", "hunter2")
    box = await started()
    try:
        with anyio.fail_after(10):
            result = await box.execute(
                "open('/proc/1/environ', 'rb').read() + open('/proc/1/cmdline', 'rb').read()"
            )
        assert "hunter2" not in result.render()
        assert REPO not in result.render()
    finally:
        await close_and_check(box)
