"""The process backend (for containers): every layer but namespaces, each attacked."""

from __future__ import annotations

import errno
import os
from collections.abc import AsyncIterator

import anyio
import pytest

from openenv_mcp.sandbox import SandboxLimits
from openenv_mcp.sandbox.confine import landlock_abi
from openenv_mcp.sandbox.confined import processes_of
from openenv_mcp.sandbox.process import ProcessSandbox
from openenv_mcp.sandbox.seccomp import syscall_number

from .support import REPO, TOOLS, handler

HOME = os.path.join(os.path.expanduser("~"), ".profile")
"""A file of the host user's home (it need not exist: the sandbox must not see it either way)."""

pytestmark = pytest.mark.sandbox


@pytest.fixture
async def box() -> AsyncIterator[ProcessSandbox]:
    sandbox = ProcessSandbox(TOOLS, SandboxLimits(wall_seconds=5.0))
    with anyio.fail_after(30):
        await sandbox.start()
    yield sandbox
    with anyio.fail_after(30):
        await sandbox.close()
    assert not sandbox.workspace.exists() and not sandbox.tmp.exists()
    if sandbox.identity.dedicated:
        assert processes_of(sandbox.identity.uid) == [], "a process of the sandbox's uid outlived it"


async def run(box: ProcessSandbox, code: str) -> str | None:
    with anyio.fail_after(10):
        result = await box.execute(code, tools=handler)
    assert result.error is None, result.render()
    return result.value


async def test_code_runs_in_its_workspace_and_calls_tools(box: ProcessSandbox) -> None:
    assert await run(box, "import os\nos.getcwd()") == repr(box.code_workspace)
    assert await run(box, "echo('hi')") == "'hi'"
    assert await run(box, "open('made', 'w').write('x')") == "1"
    assert (box.workspace / "made").read_text() == "x"


async def test_the_uid_is_never_root(box: ProcessSandbox) -> None:
    uid = int(await run(box, "import os\nos.getuid()") or "-1")
    assert uid != 0
    assert uid == (box.identity.uid if os.geteuid() == 0 else os.geteuid())


async def test_the_filter_is_loaded_by_the_worker(box: ProcessSandbox) -> None:
    number = syscall_number("ptrace")
    code = (
        "import ctypes, socket\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        f"traced = (libc.syscall({number}, 0, 0, 0, 0), ctypes.get_errno())\n"
        "try:\n    socket.socket(socket.AF_INET)\n    inet = 'open'\n"
        "except OSError as exc:\n    inet = exc.errno\n"
        "mode = [l.split()[1] for l in open('/proc/self/status') if l.startswith('Seccomp:')]\n"
        "(traced, inet, mode)"
    )
    assert await run(box, code) == f"((-1, {errno.EPERM}), {errno.EPERM}, ['2'])"


async def test_landlock_confines_reads_and_writes(box: ProcessSandbox) -> None:
    code = (
        "import os\nseen = {}\n"
        f"for path in ({REPO + '/pyproject.toml'!r}, {HOME!r}, '/var/log/dpkg.log', '/usr/bin/env'):\n"
        "    try:\n        open(path, 'rb').read(1)\n        seen[path] = 'read'\n"
        "    except OSError as exc:\n        seen[path] = type(exc).__name__\n"
        "for path in ('/tmp/openenv-escape', os.environ['TMPDIR'] + '/ok', 'ok'):\n"
        "    try:\n        open(path, 'w').write('x')\n        seen[path] = 'written'\n"
        "    except OSError as exc:\n        seen[path] = type(exc).__name__\n"
        "seen"
    )
    seen = eval(await run(box, code) or "{}")
    assert seen["/usr/bin/env"] == "read" and seen["ok"] == "written"
    assert seen[str(box.tmp) + "/ok"] == "written"
    if landlock_abi() > 0:
        for path in (
            f"{REPO}/pyproject.toml",
            HOME,
            "/var/log/dpkg.log",
            "/tmp/openenv-escape",
        ):
            assert seen[path] in {"PermissionError", "FileNotFoundError"}, (path, seen[path])
    assert not await anyio.Path("/tmp/openenv-escape").exists()


@pytest.mark.root
async def test_processes_that_leave_the_group_die_with_the_sandbox() -> None:
    sandbox = ProcessSandbox(TOOLS, SandboxLimits(wall_seconds=5.0))
    with anyio.fail_after(30):
        await sandbox.start()
        code = "import subprocess\nsubprocess.Popen(['setsid', 'sleep', '1000'])\n1"
        assert (await sandbox.execute(code)).value == "1"
        await anyio.sleep(0.2)
        assert len(processes_of(sandbox.identity.uid)) >= 2
        await sandbox.close()
    assert processes_of(sandbox.identity.uid) == []
