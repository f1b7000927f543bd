"""File access confined to the episode's workspace, done on the host.

Every path is resolved against the workspace root (``/workspace`` inside the sandbox);
absolute paths elsewhere, ``..`` escapes and symbolic links that lead outside are
refused. The resolved path is then opened one component at a time with
``O_NOFOLLOW``, so a link swapped in after the check cannot redirect the access.

What the host creates (directories and files) is given, through its descriptor, to the
owner of the workspace root (`workspace_owner`): when the server is root and the sandbox
runs as a user of its own, the sandboxed code must be able to change what was written for it.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from collections.abc import Generator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from openenv_mcp.errors import ActionError
from openenv_mcp.sandbox.ownership import Owner, open_new, workspace_owner

__all__ = [
    "READ_LIMIT",
    "SANDBOX_ROOT",
    "WRITE_LIMIT",
    "DirEntry",
    "DirListing",
    "Owner",
    "Workspace",
    "workspace_owner",
]

SANDBOX_ROOT = "/workspace"
"""Where the workspace appears inside the sandbox."""
READ_LIMIT = 100_000
"""Bytes of a file that `read_text` returns; the rest is cut with a marker."""
WRITE_LIMIT = 1_000_000
"""Largest content `write_text` accepts, in bytes."""
LIST_LIMIT = 1000

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC

EntryKind = Literal["file", "dir", "link", "other"]


class DirEntry(BaseModel):
    """One entry of a directory listing."""

    name: str
    kind: EntryKind = Field(description="file, dir, link (a symbolic link) or other (a fifo, a socket...).")
    size: int | None = Field(default=None, description="Bytes, for files.")


class DirListing(BaseModel):
    """A directory's entries, sorted by name."""

    path: str = Field(description="The directory, relative to /workspace ('.' for the root).")
    entries: list[DirEntry]
    truncated: bool = False

    def to_text(self) -> str:
        """``ls -p``-like lines: directories end in /, links in @, files show their size."""
        suffix = {"dir": "/", "link": "@", "other": "|", "file": ""}
        lines = [
            f"{e.name}{suffix[e.kind]}" + (f"  ({e.size} bytes)" if e.size is not None else "")
            for e in self.entries
        ]
        if self.truncated:
            lines.append(f"[... listing cut at {LIST_LIMIT} entries ...]")
        return "\n".join(lines) or f"(the directory {self.path} is empty)"


class Workspace:
    """The episode's workspace on the host; every access stays inside `root`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.realpath(root))

    def relative(self, path: str) -> str:
        """`path` (relative, or absolute under /workspace) as a normalised relative path; '.' is the root.

        Raises:
            ActionError: the path is empty, absolute outside /workspace, escapes with ``..``,
                or leads outside through a symbolic link.
        """
        if not path or "\0" in path:
            raise ActionError("the path must be a non-empty string without NUL characters")
        normal = posixpath.normpath(path)
        if posixpath.isabs(normal):
            if normal != SANDBOX_ROOT and not normal.startswith(SANDBOX_ROOT + "/"):
                raise ActionError(
                    f"{path!r} is outside the workspace; use a path relative to {SANDBOX_ROOT} "
                    f"or one starting with {SANDBOX_ROOT}/"
                )
            normal = posixpath.relpath(normal, SANDBOX_ROOT)
        if normal == ".." or normal.startswith("../"):
            raise ActionError(f"{path!r} leads outside the workspace through '..'")
        real = os.path.realpath(self.root / normal)
        if os.path.commonpath([real, self.root]) != str(self.root):
            raise ActionError(f"{path!r} leads outside the workspace through a symbolic link")
        return os.path.relpath(real, self.root)

    def read_bytes(self, path: str, limit: int = READ_LIMIT) -> tuple[bytes, int]:
        """The first `limit` bytes of a regular file, and its full size."""
        relative = self.relative(path)
        with self._open_parent(relative) as (parent, name):
            fd = self._open_file(parent, name, path, os.O_RDONLY)
        with os.fdopen(fd, "rb") as file:
            return file.read(limit), os.fstat(fd).st_size

    def read_text(self, path: str, limit: int = READ_LIMIT) -> str:
        """A file's text (undecodable bytes replaced), cut at `limit` bytes with a marker."""
        data, size = self.read_bytes(path, limit)
        text = data.decode("utf-8", "replace")
        if size > len(data):
            text += f"\n[... file cut at {limit} of {size} bytes; use run_command with head, tail or sed ...]"
        return text

    def write_text(self, path: str, content: str, *, executable: bool | None = None) -> int:
        """Write `content` (UTF-8) to a file, creating parent directories; return the bytes written.

        `executable` sets the mode to 0755 or 0644; None keeps an existing file's mode.
        """
        data = content.encode("utf-8")
        if len(data) > WRITE_LIMIT:
            raise ActionError(f"content of {len(data)} bytes exceeds the limit of {WRITE_LIMIT} bytes")
        relative = self.relative(path)
        if relative == ".":
            raise ActionError(f"{path!r} is the workspace directory itself, not a file")
        owner = workspace_owner(self.root)
        with self._open_parent(relative, create=True, owner=owner) as (parent, name):
            fd = self._open_file(parent, name, path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, owner)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            if executable is not None:
                os.fchmod(fd, 0o755 if executable else 0o644)
        return len(data)

    def exists(self, path: str) -> bool:
        """Whether `path` names something inside the workspace (a link leading outside does not count)."""
        try:
            return os.path.lexists(self.root / self.relative(path))
        except ActionError:
            return False

    def is_executable(self, path: str) -> bool:
        """Whether `path` is a regular file with an execute bit set."""
        try:
            mode = os.stat(self.root / self.relative(path)).st_mode
        except (ActionError, OSError):
            return False
        return stat.S_ISREG(mode) and bool(mode & 0o111)

    def listing(self, path: str = ".") -> DirListing:
        """The entries of a directory."""
        relative = self.relative(path)
        with self._open_dir(relative, path) as fd:
            entries = [_entry(item) for item in os.scandir(fd)]
        entries.sort(key=lambda e: e.name)
        return DirListing(path=relative, entries=entries[:LIST_LIMIT], truncated=len(entries) > LIST_LIMIT)

    def files(self, path: str = ".") -> list[str]:
        """Every regular file under `path`, relative to the root, sorted; links are not followed."""
        found: list[str] = []
        base = self.relative(path)
        for entry in self.listing(base).entries:
            child = posixpath.normpath(posixpath.join(base, entry.name))
            if entry.kind == "file":
                found.append(child)
            elif entry.kind == "dir":
                found += self.files(child)
        return sorted(found)

    @contextmanager
    def _open_parent(
        self, relative: str, *, create: bool = False, owner: Owner = None
    ) -> Generator[tuple[int, str]]:
        parent, name = posixpath.split(relative)
        with self._open_dir(parent or ".", parent or ".", create=create, owner=owner) as fd:
            yield fd, name

    @contextmanager
    def _open_dir(
        self, relative: str, shown: str, *, create: bool = False, owner: Owner = None
    ) -> Generator[int]:
        fd = os.open(self.root, _DIR_FLAGS)
        try:
            for part in [] if relative == "." else relative.split("/"):
                child = _child_dir(fd, part, shown, create, owner)
                os.close(fd)
                fd = child
            yield fd
        finally:
            os.close(fd)

    def _open_file(self, parent: int, name: str, shown: str, flags: int, owner: Owner = None) -> int:
        try:
            fd = open_new(name, flags | _FILE_FLAGS, parent, owner)
        except OSError as exc:
            raise _action_error(exc, shown) from None
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            what = "a directory (use list_dir)" if stat.S_ISDIR(mode) else "not a regular file"
            raise ActionError(f"{shown!r} is {what}")
        return fd


def _child_dir(fd: int, part: str, shown: str, create: bool, owner: Owner) -> int:
    """Open (or first create, for `owner`) the directory `part` under `fd`, without following links."""
    created = False
    try:
        if create:
            with suppress(FileExistsError):
                os.mkdir(part, 0o755, dir_fd=fd)
                created = True
        child = os.open(part, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        raise _action_error(exc, shown) from None
    if created and owner is not None:
        os.fchown(child, *owner)
    return child


def _entry(item: os.DirEntry[str]) -> DirEntry:
    if item.is_symlink():
        return DirEntry(name=item.name, kind="link")
    if item.is_dir(follow_symlinks=False):
        return DirEntry(name=item.name, kind="dir")
    if item.is_file(follow_symlinks=False):
        return DirEntry(name=item.name, kind="file", size=item.stat(follow_symlinks=False).st_size)
    return DirEntry(name=item.name, kind="other")


def _action_error(exc: OSError, shown: str) -> ActionError:
    reasons = {
        errno.ENOENT: "no such file or directory",
        errno.ENOTDIR: "a component of the path is not a directory",
        errno.EISDIR: "it is a directory (use list_dir)",
        errno.ELOOP: "it changed into a symbolic link while being opened",
        errno.ENXIO: "it is not a regular file",
        errno.EACCES: "permission denied",
    }
    return ActionError(f"{shown!r}: {reasons.get(exc.errno or 0, exc.strerror or str(exc))}")
