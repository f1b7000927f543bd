"""The workspace as a size-limited filesystem of its own: a quota on bytes and on files.

Run as root, the host mounts a tmpfs on the workspace folder, with ``size`` and
``nr_inodes`` set from the limits, owned by the sandbox's uid, ``nosuid`` and ``nodev``
(a set-uid file made inside is inert on the host). Its pages are charged to the memory
cgroup of whoever writes them, so the sandbox pays for its files. A full workspace is
``ENOSPC`` inside, "No space left on device", which the agent reads like any other error.
Not root, the host cannot mount: the workspace is a plain folder bounded only by
``RLIMIT_FSIZE`` per file, and `openenv-mcp doctor` says so.
"""

from __future__ import annotations

import ctypes
import os
import weakref
from pathlib import Path

__all__ = ["WorkspaceQuota"]

_MS_NOSUID, _MS_NODEV = 0x2, 0x4
_MNT_DETACH = 0x2

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p)
_libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)


def _detach(path: str, root: int) -> None:
    os.close(root)
    _libc.umount2(path.encode(), _MNT_DETACH)


class WorkspaceQuota:
    """A tmpfs mounted on one workspace folder; detached at the latest when it is collected or at exit."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._root = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        self._detach = weakref.finalize(self, _detach, str(path), self._root)

    def space(self) -> os.statvfs_result | None:
        """Free bytes and inodes now (through a descriptor kept open: cheap enough for every step)."""
        try:
            return os.fstatvfs(self._root)
        except OSError:
            return None

    @classmethod
    def mount(cls, path: Path, *, size: int, files: int, uid: int, gid: int) -> WorkspaceQuota | None:
        """Mount the quota filesystem on `path`, or None where this process may not mount."""
        if os.geteuid() != 0:
            return None
        options = f"size={size},nr_inodes={files},mode=0700,uid={uid},gid={gid}".encode()
        flags = _MS_NOSUID | _MS_NODEV
        if _libc.mount(b"openenv-workspace", str(path).encode(), b"tmpfs", flags, options) != 0:
            return None
        return cls(path)

    def unmount(self) -> None:
        """Detach the filesystem (its files go with it); idempotent."""
        self._detach()
