"""What the host creates in a workspace belongs to the workspace's owner: the sandbox's user.

Run by root, each sandbox's workspace belongs to its unprivileged uid (identity.py), so a file
the host writes there (a task's setup, a copy for a grader) must be given to that uid, or the
code could not change it. Ownership is given through the new descriptor, never by path, so
no symbolic link swapped in can redirect it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["Owner", "open_new", "workspace_owner"]

Owner = tuple[int, int] | None
"""The uid and gid to give what the host creates, or None to leave it the host's."""


def workspace_owner(root: str | Path) -> Owner:
    """The owner of `root`, when the host is root and `root` belongs to someone else; else None."""
    if os.geteuid() != 0:
        return None
    info = os.stat(root)
    ids = (info.st_uid, info.st_gid)
    return None if ids == (os.geteuid(), os.getegid()) else ids


def open_new(name: str, flags: int, folder: int, owner: Owner, mode: int = 0o644) -> int:
    """Open `name` under the descriptor `folder`; a file this call creates is given to `owner`.

    With ``O_CREAT`` an exclusive create is tried first, so that an existing file keeps the
    owner it has.
    """
    if flags & os.O_CREAT:
        try:
            fd = os.open(name, flags | os.O_EXCL, mode, dir_fd=folder)
        except FileExistsError:
            flags &= ~os.O_CREAT
        else:
            if owner is not None:
                os.fchown(fd, *owner)
            return fd
    return os.open(name, flags, dir_fd=folder)
