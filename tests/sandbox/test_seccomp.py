"""The seccomp filter: each denied call is refused inside a real sandbox, and ordinary work goes on.

Arguments are chosen so that, without the filter, the kernel would answer something other
than EPERM (success, EBADF, EFAULT, ENOTTY, ...): the answer proves the filter, not a
missing capability.
"""

from __future__ import annotations

import errno

import anyio
import pytest

from openenv_mcp.sandbox import BubblewrapSandbox
from openenv_mcp.sandbox.seccomp import syscall_number

pytestmark = pytest.mark.sandbox

_CLONE_NEWUSER, _CLONE_NEWNS, _SIGCHLD = 0x10000000, 0x00020000, 17
_AF_INET, _AF_INET6, _AF_NETLINK, _AF_PACKET, _SOCK_STREAM, _SOCK_RAW = 2, 10, 16, 17, 1, 3
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C

DENIED: dict[str, tuple[str, str]] = {
    "ptrace traceme": ("ptrace", "0, 0, 0, 0"),
    "process_vm_readv": ("process_vm_readv", "os.getpid(), None, 0, None, 0, 0"),
    "process_vm_writev": ("process_vm_writev", "os.getpid(), None, 0, None, 0, 0"),
    "pidfd_getfd": ("pidfd_getfd", "-1, 0, 0"),
    "kcmp": ("kcmp", "os.getpid(), os.getpid(), 0, 0, 0"),
    "io_uring_setup": ("io_uring_setup", "1, None"),
    "io_uring_enter": ("io_uring_enter", "-1, 0, 0, 0, None, 0"),
    "io_uring_register": ("io_uring_register", "-1, 0, None, 0"),
    "keyctl get session keyring": ("keyctl", "0, -3, 0"),
    "keyctl join named keyring": ("keyctl", "1, b'shared-name'"),
    "add_key": ("add_key", "b'user', b'k', b'v', 1, -3"),
    "request_key": ("request_key", "b'user', b'k', None, 0"),
    "bpf": ("bpf", "0xFFFF, None, 0"),
    "perf_event_open": ("perf_event_open", "None, 0, -1, -1, 0"),
    "userfaultfd": ("userfaultfd", "0"),
    "kexec_load": ("kexec_load", "0, 0, None, 0xFFFFFFFF"),
    "kexec_file_load": ("kexec_file_load", "-1, -1, 0, None, 0"),
    "init_module": ("init_module", "None, 0, b''"),
    "finit_module": ("finit_module", "-1, b'', 0"),
    "delete_module": ("delete_module", "b'openenv-none', 0"),
    "mount": ("mount", "None, b'/tmp', None, 0x20, None"),
    "umount2": ("umount2", "b'/openenv-none', 0"),
    "pivot_root": ("pivot_root", "b'/openenv-none', b'/openenv-none'"),
    "chroot": ("chroot", "b'/openenv-none'"),
    "fsopen": ("fsopen", "b'openenv-none', 0"),
    "fsconfig": ("fsconfig", "-1, 0, None, None, 0"),
    "fsmount": ("fsmount", "-1, 0, 0"),
    "fspick": ("fspick", "-1, b'', 0"),
    "move_mount": ("move_mount", "-1, b'', -1, b'', 0"),
    "open_tree": ("open_tree", "-1, b'', 0"),
    "mount_setattr": ("mount_setattr", "-1, b'', 0, None, 0"),
    "open_by_handle_at": ("open_by_handle_at", "-1, None, 0"),
    "name_to_handle_at": ("name_to_handle_at", "-1, b'', None, None, 0"),
    "unshare nothing": ("unshare", "0"),
    "setns": ("setns", "-1, 0"),
    "clone new user namespace": ("clone", f"{_CLONE_NEWUSER | _SIGCHLD}, 0, 0, 0, 0"),
    "clone new mount namespace": ("clone", f"{_CLONE_NEWNS | _SIGCHLD}, 0, 0, 0, 0"),
    "personality no randomisation": ("personality", "0x0040000"),
    "personality read implies exec": ("personality", "0x0400000"),
    "ioctl TIOCSTI": ("ioctl", f"0, {_TIOCSTI}, b'x'"),
    "ioctl TIOCLINUX": ("ioctl", f"0, {_TIOCLINUX}, b'x'"),
    "socket AF_INET": ("socket", f"{_AF_INET}, {_SOCK_STREAM}, 0"),
    "socket AF_INET6": ("socket", f"{_AF_INET6}, {_SOCK_STREAM}, 0"),
    "socket AF_NETLINK": ("socket", f"{_AF_NETLINK}, {_SOCK_RAW}, 0"),
    "socket AF_PACKET": ("socket", f"{_AF_PACKET}, {_SOCK_RAW}, 0"),
    "socketpair AF_INET": ("socketpair", f"{_AF_INET}, {_SOCK_STREAM}, 0, None"),
    "syslog": ("syslog", "10, None, 0"),
    "set_mempolicy": ("set_mempolicy", "0, None, 0"),
}


def _call(syscall: str, args: str) -> str:
    number = syscall_number(syscall)
    assert number is not None, f"{syscall} has no number on this architecture"
    return (
        "import ctypes, os\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "libc.syscall.restype = ctypes.c_long\n"
        f"arguments = [ctypes.c_long(a) if isinstance(a, int) else a for a in ({args},)]\n"
        f"result = libc.syscall({number}, *arguments)\n"
        "(result, ctypes.get_errno())"
    )


@pytest.mark.parametrize("case", list(DENIED), ids=list(DENIED))
async def test_the_call_is_refused(sandbox: BubblewrapSandbox, case: str) -> None:
    syscall, args = DENIED[case]
    with anyio.fail_after(10):
        result = await sandbox.execute(_call(syscall, args))
    assert result.error is None, result.render()
    assert result.value == f"(-1, {errno.EPERM})", f"{case}: {result.value}"


async def test_clone3_falls_back_to_clone(sandbox: BubblewrapSandbox) -> None:
    """clone3's flags sit in memory the filter cannot read: ENOSYS sends libc back to clone."""
    with anyio.fail_after(10):
        result = await sandbox.execute(_call("clone3", "None, 0"))
    assert result.value == f"(-1, {errno.ENOSYS})"


ALLOWED = {
    "fork and wait": (
        "import os\npid = os.fork()\nif pid == 0:\n    os._exit(7)\n"
        "os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])"
    ),
    "subprocess": "import subprocess\nsubprocess.run(['sh', '-c', 'exit 3']).returncode",
    "threads": "import threading\nt = threading.Thread(target=lambda: None)\nt.start()\nt.join()\n3",
    "unix sockets": "import socket\na, b = socket.socketpair()\na.send(b'x')\nlen(b.recv(1))",
    "personality query of the default": _call("personality", "0") + "[0]",
    "a fresh session keyring": _call("keyctl", "1, None") + "[0] > 0",
}
EXPECTED = {
    "fork and wait": "7",
    "subprocess": "3",
    "threads": "3",
    "unix sockets": "1",
    "personality query of the default": "0",
    "a fresh session keyring": "True",
}


@pytest.mark.parametrize("case", list(ALLOWED), ids=list(ALLOWED))
async def test_ordinary_work_is_allowed(sandbox: BubblewrapSandbox, case: str) -> None:
    with anyio.fail_after(10):
        result = await sandbox.execute(ALLOWED[case])
    assert result.error is None, result.render()
    assert result.value == EXPECTED[case]


async def test_every_process_of_the_sandbox_runs_filtered(sandbox: BubblewrapSandbox) -> None:
    code = (
        "import subprocess\n"
        "status = subprocess.run(['cat', '/proc/self/status'], capture_output=True, text=True).stdout\n"
        "[line.split()[1] for line in status.splitlines() if line.startswith('Seccomp:')]"
    )
    with anyio.fail_after(10):
        result = await sandbox.execute(code)
    assert result.value == "['2']"  # SECCOMP_MODE_FILTER
