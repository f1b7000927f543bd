"""The seccomp filter every sandboxed process runs under, compiled by libseccomp.

The filter allows by default and refuses, with ``EPERM``, the union of what Docker's default
profile and OpenAI Codex's Linux sandbox deny: tracing other processes, io_uring, the kernel
keyring, bpf, perf, userfaultfd, kexec and modules, the mount API, new namespaces, unsafe
``personality`` flags, terminal injection ioctls, and sockets other than ``AF_UNIX``. A call
from a foreign architecture (32-bit ``int 0x80``, x32) kills the process. The one keyring call
left open is joining a fresh anonymous session keyring, which the worker does at start.

The binding is a few ctypes calls into ``libseccomp.so.2``; nothing is installed for it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
from dataclasses import dataclass

from openenv_mcp.errors import SandboxUnavailableError

__all__ = ["DENIED_SYSCALLS", "compiled_filter", "seccomp_available", "syscall_number"]

DENIED_SYSCALLS: tuple[str, ...] = (
    # other processes' memory and descriptors
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "pidfd_getfd", "kcmp",
    # io_uring: a second syscall interface no filter sees into
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    # the kernel keyring (keyctl is refused but for joining a fresh session keyring)
    "add_key", "request_key",
    # kernel attack surface
    "bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
    "init_module", "finit_module", "delete_module", "create_module", "query_module",
    "get_kernel_syms", "lookup_dcookie", "iopl", "ioperm", "nfsservctl", "uselib", "vm86", "vm86old",
    # the mount API and root changes
    "mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount", "fspick",
    "move_mount", "open_tree", "mount_setattr", "name_to_handle_at", "open_by_handle_at",
    # namespaces
    "unshare", "setns",
    # host-wide state
    "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog", "settimeofday",
    "clock_settime", "clock_adjtime", "adjtimex", "stime", "sethostname", "setdomainname",
    "vhangup", "_sysctl", "ustat", "sysfs",
    # NUMA placement (Docker allows these only with CAP_SYS_NICE)
    "mbind", "migrate_pages", "move_pages", "set_mempolicy", "set_mempolicy_home_node",
)  # fmt: skip
"""Refused outright; names this architecture lacks are skipped."""

_CLONE_NAMESPACES = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
    "CLONE_NEWTIME": 0x00000080,
}
_PERSONALITY_UNSAFE = (0x0040000, 0x0080000, 0x0100000, 0x0200000, 0x0400000, 0x0800000, 0x8000000)
"""ADDR_NO_RANDOMIZE, FDPIC_FUNCPTRS, MMAP_PAGE_ZERO, ADDR_COMPAT_LAYOUT, READ_IMPLIES_EXEC,
ADDR_LIMIT_32BIT, ADDR_LIMIT_3GB: a personality with any of them is refused (the 0xffffffff
query too, since it sets every bit)."""
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C
_AF_UNIX = 1
_KEYCTL_JOIN_SESSION_KEYRING = 1

_ACT_ALLOW = 0x7FFF0000
_ACT_KILL_PROCESS = 0x80000000
_ACT_ERRNO_EPERM = 0x00050000 | errno.EPERM
_ACT_ERRNO_ENOSYS = 0x00050000 | errno.ENOSYS
_FLTATR_ACT_BADARCH = 2
_CMP_NE, _CMP_EQ, _CMP_MASKED_EQ = 1, 4, 7


class _ArgCmp(ctypes.Structure):
    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


@dataclass(frozen=True)
class _Rule:
    syscall: str
    action: int
    compares: tuple[tuple[int, int, int, int], ...] = ()


def _rules() -> list[_Rule]:
    rules = [_Rule(name, _ACT_ERRNO_EPERM) for name in DENIED_SYSCALLS]
    # clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone.
    rules.append(_Rule("clone3", _ACT_ERRNO_ENOSYS))
    for flag in _CLONE_NAMESPACES.values():
        rules.append(_Rule("clone", _ACT_ERRNO_EPERM, ((0, _CMP_MASKED_EQ, flag, flag),)))
    rules.append(_Rule("keyctl", _ACT_ERRNO_EPERM, ((0, _CMP_NE, _KEYCTL_JOIN_SESSION_KEYRING, 0),)))
    join_named = ((0, _CMP_EQ, _KEYCTL_JOIN_SESSION_KEYRING, 0), (1, _CMP_NE, 0, 0))
    rules.append(_Rule("keyctl", _ACT_ERRNO_EPERM, join_named))
    for flag in _PERSONALITY_UNSAFE:
        rules.append(_Rule("personality", _ACT_ERRNO_EPERM, ((0, _CMP_MASKED_EQ, flag, flag),)))
    for request in (_TIOCSTI, _TIOCLINUX):
        rules.append(_Rule("ioctl", _ACT_ERRNO_EPERM, ((1, _CMP_MASKED_EQ, 0xFFFFFFFF, request),)))
    rules.append(_Rule("socket", _ACT_ERRNO_EPERM, ((0, _CMP_NE, _AF_UNIX, 0),)))
    rules.append(_Rule("socketpair", _ACT_ERRNO_EPERM, ((0, _CMP_NE, _AF_UNIX, 0),)))
    return rules


@functools.cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as exc:
        raise SandboxUnavailableError(
            f"libseccomp is not installed ({exc}): apt-get install libseccomp2"
        ) from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = (ctypes.c_uint32,)
    lib.seccomp_release.argtypes = (ctypes.c_void_p,)
    lib.seccomp_attr_set.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32)
    lib.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
    lib.seccomp_rule_add_array.argtypes = (
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    )
    lib.seccomp_export_bpf.argtypes = (ctypes.c_void_p, ctypes.c_int)
    return lib


def syscall_number(name: str) -> int | None:
    """The number of the syscall `name` on this architecture, or None where it has none."""
    number = int(_library().seccomp_syscall_resolve_name(name.encode()))
    return number if number >= 0 else None


def _add(lib: ctypes.CDLL, context: int, rule: _Rule) -> None:
    number = syscall_number(rule.syscall)
    if number is None:
        return  # not a syscall of this architecture
    compares = (_ArgCmp * max(1, len(rule.compares)))(*(_ArgCmp(*c) for c in rule.compares))
    result = lib.seccomp_rule_add_array(context, rule.action, number, len(rule.compares), compares)
    if result < 0:
        raise SandboxUnavailableError(
            f"libseccomp refused the rule for {rule.syscall}: {os.strerror(-result)}"
        )


@functools.cache
def compiled_filter() -> bytes:
    """The filter as a classic BPF program (``struct sock_filter`` array), for bwrap or prctl.

    Raises:
        SandboxUnavailableError: libseccomp is missing or refuses the filter.
    """
    lib = _library()
    context = lib.seccomp_init(_ACT_ALLOW)
    if not context:
        raise SandboxUnavailableError("libseccomp could not start a filter")
    try:
        lib.seccomp_attr_set(context, _FLTATR_ACT_BADARCH, _ACT_KILL_PROCESS)
        for rule in _rules():
            _add(lib, context, rule)
        read_fd, write_fd = os.pipe()
        try:
            result = lib.seccomp_export_bpf(context, write_fd)
            os.close(write_fd)
            write_fd = -1
            if result < 0:
                raise SandboxUnavailableError(
                    f"libseccomp could not export the filter: {os.strerror(-result)}"
                )
            return _read_all(read_fd)
        finally:
            os.close(read_fd)
            if write_fd >= 0:
                os.close(write_fd)
    finally:
        lib.seccomp_release(context)


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks)


def seccomp_available() -> str | None:
    """None when the filter can be built here, else why not."""
    try:
        compiled_filter()
    except SandboxUnavailableError as exc:
        return str(exc)
    return None
