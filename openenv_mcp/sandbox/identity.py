"""Which host user a sandbox runs as: never root.

Run by root, every sandbox gets a uid and gid of its own from a dedicated range, so that
the kernel sees an ordinary user: sysctls, signals, files, keyrings and process limits
all apply. Run by anyone else, a sandbox runs as that user, as an unprivileged
bubblewrap always does.

The range starts at 2,013,265,920 (``0x78000000``), inside the block systemd leaves
unused (1,879,048,192 - 2,147,483,647), and holds 65,536 ids; set
``OPENENV_MCP_SANDBOX_UID_BASE`` to move it. No ``/etc/passwd`` entry is needed. A lock file
per uid under ``/run/openenv-mcp/sandbox-uids`` keeps two servers on one host from sharing one.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from openenv_mcp.errors import SandboxUnavailableError

__all__ = ["UID_RANGE_SIZE", "SandboxIdentity", "uid_base"]

UID_RANGE_SIZE = 65_536
_DEFAULT_BASE = 0x78000000
_LOCKS = Path("/run/openenv-mcp/sandbox-uids")
"""One lock file per uid in use, held (flock) for the sandbox's life: servers never share a uid."""
_lock = threading.Lock()
_taken: dict[int, int] = {}


def uid_base() -> int:
    """The first uid of the sandboxes' range."""
    raw = os.environ.get("OPENENV_MCP_SANDBOX_UID_BASE", "")
    if not raw:
        return _DEFAULT_BASE
    try:
        base = int(raw)
    except ValueError:
        raise SandboxUnavailableError(f"OPENENV_MCP_SANDBOX_UID_BASE={raw!r} is not a number") from None
    if not 1000 <= base <= 2**31 - UID_RANGE_SIZE:
        raise SandboxUnavailableError(
            f"OPENENV_MCP_SANDBOX_UID_BASE={base} must leave a range of {UID_RANGE_SIZE} ids "
            f"between 1000 and {2**31 - 1}"
        )
    return base


@dataclass(frozen=True)
class SandboxIdentity:
    """The host uid and gid one sandbox runs as; `dedicated` when it was allocated for it."""

    uid: int
    gid: int
    dedicated: bool

    @classmethod
    def allocate(cls) -> SandboxIdentity:
        """A fresh id from the range when the server is root, else the server's own user."""
        if os.geteuid() != 0:
            return cls(os.geteuid(), os.getegid(), dedicated=False)
        base = uid_base()
        _LOCKS.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _lock:
            start = secrets.randbelow(UID_RANGE_SIZE)
            for step in range(UID_RANGE_SIZE):
                uid = base + (start + step) % UID_RANGE_SIZE
                if uid not in _taken and (fd := _reserve(uid)) >= 0:
                    _taken[uid] = fd
                    return cls(uid, uid, dedicated=True)
        raise SandboxUnavailableError(f"all {UID_RANGE_SIZE} sandbox uids are in use")

    def release(self) -> None:
        """Give a dedicated id back once nothing of the sandbox runs or remains."""
        if self.dedicated:
            with _lock:
                fd = _taken.pop(self.uid, -1)
            if fd >= 0:
                os.close(fd)

    def setpriv(self) -> list[str]:
        """The command prefix that drops to this identity (empty when it is already ours).

        Supplementary groups and every capability go, and no exec may gain privileges again.
        """
        if not self.dedicated:
            return []
        return [
            "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            "--no-new-privs",
            "--",
        ]


def _reserve(uid: int) -> int:
    """A descriptor holding `uid`'s lock for this process, or -1 when another server holds it."""
    fd = os.open(_LOCKS / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return -1
    return fd
