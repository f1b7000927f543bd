"""Layers the worker puts on itself before any model-written code runs.

Imported by the worker inside the sandbox, so standard library only. Each layer is a
few system calls through ctypes: a fresh anonymous session keyring, no new privileges,
not dumpable (nothing else of the same uid may read or trace it), Landlock rules (read-only
everywhere, read-write only where the host says), and, for backends without bubblewrap,
the seccomp filter the host compiled. `confine` reports what it applied, and the host
believes that report only for the layers it can check from outside.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any

__all__ = ["confine", "landlock_abi"]

_SYS_KEYCTL = {"x86_64": 250, "aarch64": 219}
_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_ADD_RULE, _SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
_KEYCTL_JOIN_SESSION_KEYRING, _KEYCTL_GET_KEYRING_ID, _KEY_SPEC_SESSION_KEYRING = 1, 0, -3
_PR_SET_DUMPABLE, _PR_SET_NO_NEW_PRIVS, _PR_SET_SECCOMP = 4, 38, 22
_SECCOMP_MODE_FILTER = 2
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1

_FS_READ = 0x1 | 0x4 | 0x8  # EXECUTE, READ_FILE, READ_DIR
_FS_FILE_ONLY = 0x1 | 0x2 | 0x4 | (1 << 14) | (1 << 15)  # what a rule on a file (not a folder) may hold
_FS_ABI1 = (1 << 13) - 1  # EXECUTE .. MAKE_SYM
_FS_REFER, _FS_TRUNCATE, _FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_MAKE_DEVICES = 0x40 | 0x800  # MAKE_CHAR, MAKE_BLOCK
_NET_TCP = 0x1 | 0x2  # BIND_TCP, CONNECT_TCP
_SCOPE_ALL = 0x1 | 0x2  # ABSTRACT_UNIX_SOCKET, SIGNAL

_libc = ctypes.CDLL(None, use_errno=True)


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def _syscall(number: int, *args: Any) -> int:
    result = _libc.syscall(number, *args)
    if result < 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))
    return int(result)


def _prctl(option: int, value: int) -> None:
    if _libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 where Landlock is missing or disabled."""
    try:
        return _syscall(_SYS_LANDLOCK_CREATE_RULESET, None, 0, _LANDLOCK_CREATE_RULESET_VERSION)
    except OSError:
        return 0


def _fs_rights(abi: int) -> int:
    rights = _FS_ABI1
    if abi >= 2:
        rights |= _FS_REFER
    if abi >= 3:
        rights |= _FS_TRUNCATE
    if abi >= 5:
        rights |= _FS_IOCTL_DEV
    return rights


def _ruleset(abi: int) -> tuple[_RulesetAttr, int]:
    attr = _RulesetAttr(handled_access_fs=_fs_rights(abi))
    size = 8
    if abi >= 4:
        attr.handled_access_net, size = _NET_TCP, 16
    if abi >= 6:
        attr.scoped, size = _SCOPE_ALL, 24
    return attr, size


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return  # nothing there to allow
    if not os.path.isdir(path):
        rights &= _FS_FILE_ONLY
    try:
        rule = _PathBeneath(allowed_access=rights, parent_fd=fd)
        _syscall(_SYS_LANDLOCK_ADD_RULE, ruleset, _LANDLOCK_RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)


def _landlock(readable: list[str], writable: list[str], devices: list[str]) -> int:
    """Read-only under `readable`; everything but making device nodes under `writable`; use of `devices`."""
    abi = landlock_abi()
    if abi <= 0:
        return 0
    attr, size = _ruleset(abi)
    ruleset = _syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), size, 0)
    try:
        handled = attr.handled_access_fs
        for path in readable:
            _allow(ruleset, path, _FS_READ & handled)
        for path in writable:
            _allow(ruleset, path, handled & ~_FS_MAKE_DEVICES)
        device_rights = _FS_READ | 0x2 | _FS_TRUNCATE | _FS_IOCTL_DEV  # 0x2: WRITE_FILE
        for path in devices:
            _allow(ruleset, path, device_rights & handled)
        _syscall(_SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0)
    finally:
        os.close(ruleset)
    return abi


def _seccomp(program: bytes) -> None:
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len=len(program) // 8, filter=ctypes.cast(buffer, ctypes.c_void_p))
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, os.strerror(error))


def _join_fresh_keyring() -> str:
    """Join a fresh anonymous session keyring, or prove that no keyring can be reached at all.

    Inside a container the engine's own seccomp profile refuses every keyring call (Docker's
    does): then there is no keyring to share, which is what joining a fresh one is for.
    """
    number = _SYS_KEYCTL.get(os.uname().machine)
    if number is None:
        raise OSError(f"no keyctl number known for {os.uname().machine}")
    try:
        _syscall(number, _KEYCTL_JOIN_SESSION_KEYRING, None)
    except OSError as refused:
        try:
            _syscall(number, _KEYCTL_GET_KEYRING_ID, _KEY_SPEC_SESSION_KEYRING, 0)
        except OSError:
            return "every keyring call refused by an outer filter"
        raise refused from None
    return "a fresh session keyring"


def confine(config: dict[str, Any]) -> dict[str, Any]:
    """Apply the layers `config` asks for, in an order that keeps each possible; report them.

    A layer the host requires (``required``) that fails raises, so the worker never serves
    code with less than the host was told; any other failure is reported as absent.
    """
    required = set(config.get("required", ()))
    applied: dict[str, Any] = {}

    def attempt(name: str, action: Any) -> None:
        try:
            applied[name] = action()
        except OSError as exc:
            if name in required:
                raise OSError(f"the sandbox layer {name!r} could not be applied: {exc}") from exc
            applied[name] = False

    attempt("keyring", _join_fresh_keyring)
    attempt("no_new_privs", lambda: _prctl(_PR_SET_NO_NEW_PRIVS, 1) or True)
    attempt("not_dumpable", lambda: _prctl(_PR_SET_DUMPABLE, 0) or True)
    if config.get("landlock") is not None:
        rules = config["landlock"]
        paths = [list(rules.get(key, ())) for key in ("readable", "writable", "devices")]
        attempt("landlock", lambda: _landlock(*paths))
    if config.get("seccomp"):
        attempt("seccomp", lambda: _seccomp(bytes.fromhex(config["seccomp"])) or True)
    return applied
