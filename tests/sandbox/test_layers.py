"""The layers around a sandbox, each attacked: identity, /proc, keyring, dumps, descriptors, Landlock.

Every test runs as root and as an unprivileged user (CI does both); what a test expects
follows from who runs it, never a skip.
"""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

import anyio
import pytest

from openenv_mcp.sandbox import BubblewrapSandbox, sandbox_processes
from openenv_mcp.sandbox.confine import landlock_abi
from openenv_mcp.sandbox.identity import UID_RANGE_SIZE, uid_base
from openenv_mcp.sandbox.seccomp import syscall_number

from .support import assert_recovers, attack

pytestmark = pytest.mark.sandbox

_KEY_SPEC_SESSION_KEYRING = -3
_KEYCTL_READ, _KEYCTL_UNLINK = 11, 9


def _host_uids(sandbox: BubblewrapSandbox) -> set[int]:
    """Every uid (real, effective, saved, filesystem) the host sees on the sandbox's processes."""
    found: set[int] = set()
    for pid in sandbox_processes(sandbox.marker):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        line = next(line for line in status.splitlines() if line.startswith("Uid:"))
        found.update(int(value) for value in line.split()[1:])
    return found


async def test_the_host_never_sees_root(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox) -> None:
    code = "import subprocess\nopen('/workspace/made', 'w').write('x')\nsubprocess.Popen(['sleep', '30'])\n1"
    result = await attack(sandbox, bystander, code)
    assert result.value == "1"
    uids = _host_uids(sandbox)
    owner = (sandbox.workspace / "made").stat().st_uid
    if os.geteuid() == 0:
        assert sandbox.identity.dedicated and uid_base() <= sandbox.identity.uid < uid_base() + UID_RANGE_SIZE
        assert uids == {sandbox.identity.uid}, "some sandbox process runs as another host uid"
        assert owner == sandbox.identity.uid
        assert sandbox.identity.uid != bystander.identity.uid
    else:
        assert uids == {os.geteuid()} and owner == os.geteuid()


@pytest.mark.parametrize(
    "knob", ["kernel/core_pattern", "kernel/pid_max", "kernel/hostname", "fs/file-max", "vm/swappiness"]
)
async def test_host_wide_sysctls_are_read_only(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, knob: str
) -> None:
    """The write puts back the value read, so that a broken layer changes nothing on the host."""
    path = f"/proc/sys/{knob}"
    code = f"value = open({path!r}).read()\nopen({path!r}, 'w').write(value)"
    result = await attack(sandbox, bystander, code)
    assert result.error is not None and result.error.type in {"OSError", "PermissionError"}, result.render()
    assert "Read-only file system" in result.error.message or "Permission denied" in result.error.message


@pytest.mark.parametrize("name", ["keys", "timer_list", "key-users"])
async def test_leaky_proc_files_are_masked(sandbox: BubblewrapSandbox, name: str) -> None:
    if not Path(f"/proc/{name}").is_file():  # noqa: ASYNC240 (procfs answers at once)
        return  # this kernel has no such file to leak
    with anyio.fail_after(10):
        result = await sandbox.execute(f"open('/proc/{name}').read()")
    assert result.error is not None and result.error.type == "PermissionError", result.render()


async def test_set_uid_files_are_inert_on_the_host(sandbox: BubblewrapSandbox) -> None:
    code = "import os, shutil\nshutil.copy('/bin/true', 'su')\nos.chmod('su', 0o4755)\n"
    with anyio.fail_after(10):
        result = await sandbox.execute(code)
    assert result.error is None, result.render()
    made = sandbox.workspace / "su"
    assert made.stat().st_uid != 0
    if sandbox.quota:
        assert os.statvfs(sandbox.workspace).f_flag & os.ST_NOSUID


def _keyctl(*args: int | bytes | None) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    number = syscall_number("keyctl")
    assert number is not None
    converted = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    return int(libc.syscall(number, *converted))


def _add_key(description: bytes, payload: bytes) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    number = syscall_number("add_key")
    assert number is not None
    key = libc.syscall(number, b"user", description, payload, ctypes.c_long(len(payload)), ctypes.c_long(-3))
    assert key > 0, os.strerror(ctypes.get_errno())
    return int(key)


async def test_the_servers_keyring_is_out_of_reach(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    key = _add_key(b"openenv-test-secret", b"hunter2")
    try:
        number = syscall_number("keyctl")
        read = (
            "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "buffer = ctypes.create_string_buffer(64)\n"
            f"(libc.syscall({number}, {_KEYCTL_READ}, {key}, buffer, 64), ctypes.get_errno(), buffer.value)"
        )
        result = await attack(sandbox, bystander, read)
        assert result.value == f"(-1, {errno.EPERM}, b'')", result.render()
        listing = await attack(sandbox, bystander, "open('/proc/keys').read()")
        assert "hunter2" not in listing.render() and "openenv-test-secret" not in listing.render()
    finally:
        _keyctl(_KEYCTL_UNLINK, key, _KEY_SPEC_SESSION_KEYRING)


async def test_episodes_cannot_pass_data_through_a_keyring(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    number = syscall_number("add_key")
    write = (
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        f"(libc.syscall({number}, b'user', b'drop', b'secret', 6, -3), ctypes.get_errno())"
    )
    result = await attack(sandbox, bystander, write)
    assert result.value == f"(-1, {errno.EPERM})"


async def test_commands_cannot_read_or_trace_the_worker(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    probe = (
        "import ctypes, os, sys\nworker = os.getppid()\nfound = []\n"
        "for name in ('mem', 'environ', 'maps'):\n"
        "    try:\n        open(f'/proc/{worker}/{name}', 'rb').read(1)\n        found.append(name)\n"
        "    except OSError as exc:\n        found.append(type(exc).__name__)\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "found.append((libc.ptrace(16, worker, 0, 0), ctypes.get_errno()))\nprint(found)\n"
    )
    run = f"subprocess.run([sys.executable, '-c', {probe!r}], capture_output=True, text=True).stdout"
    code = f"import subprocess, sys\n{run}"
    result = await attack(sandbox, bystander, code)
    assert result.value is not None and "PermissionError" in result.value, result.render()
    assert "'mem'" not in result.value and "'environ'" not in result.value
    assert f"(-1, {errno.EPERM})" in result.value
    await assert_recovers(sandbox)


async def test_no_host_descriptor_reaches_the_code(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    code = (
        "import os, subprocess\n"
        "own = sorted(int(fd) for fd in os.listdir('/proc/self/fd'))\n"
        "child = subprocess.run(['ls', '/proc/self/fd'], capture_output=True, text=True).stdout.split()\n"
        "try:\n    open('/proc/1/fd/2', 'w').write('x')\n    init = 'written'\n"
        "except OSError as exc:\n    init = type(exc).__name__\n"
        "(own, sorted(int(fd) for fd in child), init)"
    )
    result = await attack(sandbox, bystander, code)
    assert result.value is not None, result.render()
    own, child, init = eval(result.value)
    assert len(own) == 6, own  # stdin, stdout, stderr, the channel's two pipes, and the listing itself
    assert child == [0, 1, 2, 3], child  # the channel stays with the worker
    assert init == "PermissionError"


async def test_landlock_is_a_second_wall(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox) -> None:
    """/proc is mounted writable inside; Landlock still refuses writes there, and signals leaving it."""
    code = (
        "import os\nresults = []\n"
        "try:\n    open('/proc/self/comm', 'w').write('renamed')\n    results.append('written')\n"
        "except OSError as exc:\n    results.append(type(exc).__name__)\n"
        "try:\n    os.kill(1, 0)\n    results.append('signalled')\n"
        "except OSError as exc:\n    results.append(type(exc).__name__)\nresults"
    )
    result = await attack(sandbox, bystander, code)
    abi = landlock_abi()
    if abi == 0:
        assert result.value == "['written', 'signalled']"  # one wall only, and doctor says so
        return
    expected_signal = "PermissionError" if abi >= 6 else "signalled"
    assert result.value == f"['PermissionError', '{expected_signal}']"
