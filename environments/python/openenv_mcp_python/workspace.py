"""Host-side file access confined to an episode's workspace.

The sandboxed code can create anything in its workspace, including symlinks to host
files and FIFOs, and a process it left running can swap a file for a symlink at any
moment. So a path is checked twice: `os.path.realpath` must stay inside the workspace
(for a clear error), and the file is then opened one component at a time with
`O_NOFOLLOW` from a descriptor of the workspace root, so a symlink swapped in after the
check is refused rather than followed. Only regular files are read or written.

What the host creates (folders and files) is given, through its descriptor, to the owner
of the workspace root: when the server is root and the sandbox runs as a user of its own,
the sandboxed code must be able to change and delete what the host wrote for it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import stat
from collections.abc import Generator
from pathlib import Path

from openenv_mcp.errors import ActionError
from openenv_mcp.sandbox.ownership import Owner, open_new, workspace_owner

__all__ = ["READ_LIMIT", "SANDBOX_ROOT", "WRITE_LIMIT", "Workspace"]

READ_LIMIT = 256 * 1024
"""Largest file `read` returns, in bytes."""
WRITE_LIMIT = 1024 * 1024
"""Largest content `write` accepts, in bytes (UTF-8)."""
SANDBOX_ROOT = "/workspace"
"""The workspace's path as the sandboxed code sees it."""

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Workspace:
    """Read, write and list files under `root`, never outside it."""

    def __init__(self, root: Path) -> None:
        self.root = os.path.realpath(root)

    def read_text(self, path: str) -> str:
        """The UTF-8 text of the file at `path`."""
        *folders, name = self._file_parts(path)
        with self._folder(folders) as folder, _opened(name, os.O_RDONLY, folder, path) as fd:
            size = _regular(fd, path).st_size
            if size > READ_LIMIT:
                raise ActionError(f"{path!r} has {size} bytes; read_file returns at most {READ_LIMIT}")
            data = os.read(fd, READ_LIMIT + 1)
        if len(data) > READ_LIMIT:
            raise ActionError(f"{path!r} grew past {READ_LIMIT} bytes while being read")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise ActionError(f"{path!r} is not UTF-8 text; read binary files with run_python") from None

    def write_text(self, path: str, content: str) -> int:
        """Replace the file at `path` with `content`, creating folders; the bytes written."""
        data = content.encode("utf-8")
        if len(data) > WRITE_LIMIT:
            raise ActionError(f"content of {len(data)} bytes is over the limit of {WRITE_LIMIT} bytes")
        *folders, name = self._file_parts(path)
        owner = workspace_owner(self.root)
        creating = os.O_WRONLY | os.O_CREAT
        with (
            self._folder(folders, create=True, owner=owner) as folder,
            _opened(name, creating, folder, path, owner) as fd,
        ):
            _regular(fd, path)
            os.ftruncate(fd, 0)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        return len(data)

    def listing(self, path: str = ".") -> list[str]:
        """The entries of the folder at `path`, sorted; folders end in `/`, symlinks in `@`."""
        with self._folder(self._parts(path)) as folder:
            names = sorted(os.listdir(folder))
            return [name + _suffix(os.stat(name, dir_fd=folder, follow_symlinks=False)) for name in names]

    def _parts(self, path: str) -> list[str]:
        """`path` as components relative to the root, with every symlink resolved and checked."""
        relative = _relative(path)
        real = os.path.realpath(os.path.join(self.root, relative))
        if real != self.root and not real.startswith(self.root + os.sep):
            raise ActionError(f"{path!r} leads outside the workspace (through a symlink); refused")
        inside = os.path.relpath(real, self.root)
        return [] if inside == "." else inside.split(os.sep)

    def _file_parts(self, path: str) -> list[str]:
        parts = self._parts(path)
        if not parts:
            raise ActionError(f"{path!r} is the workspace folder itself, not a file")
        return parts

    @contextlib.contextmanager
    def _folder(self, parts: list[str], *, create: bool = False, owner: Owner = None) -> Generator[int]:
        """A descriptor of the folder `parts` below the root, opened without following symlinks.

        With `create`, missing folders are made, and those made here are given to `owner`.
        """
        fd = os.open(self.root, _DIRECTORY)
        try:
            for part in parts:
                created = False
                if create:
                    with contextlib.suppress(FileExistsError):
                        os.mkdir(part, 0o755, dir_fd=fd)
                        created = True
                fd, parent = _open_folder(part, fd, "/".join(parts)), fd
                os.close(parent)
                if created and owner is not None:
                    os.fchown(fd, *owner)
            yield fd
        finally:
            os.close(fd)


def _relative(path: str) -> str:
    """`path` made relative to the workspace; absolute paths must lie under /workspace.

    >>> _relative("/workspace/src/../a.py"), _relative("b/c.txt"), _relative("/workspace")
    ('a.py', 'b/c.txt', '.')
    """
    if "\0" in path:
        raise ActionError("the path contains a NUL character")
    normal = posixpath.normpath(path or ".")
    if normal.startswith("/"):
        if normal != SANDBOX_ROOT and not normal.startswith(SANDBOX_ROOT + "/"):
            raise ActionError(f"{path!r} is outside the workspace; use a path under {SANDBOX_ROOT}")
        normal = posixpath.relpath(normal, SANDBOX_ROOT)
    if normal == ".." or normal.startswith("../"):
        raise ActionError(f"{path!r} goes above the workspace with '..'; refused")
    return normal


def _open_folder(part: str, parent: int, shown: str) -> int:
    try:
        return os.open(part, _DIRECTORY, dir_fd=parent)
    except FileNotFoundError:
        raise ActionError(f"no folder {shown!r} in the workspace") from None
    except OSError as exc:
        raise ActionError(f"{shown!r} is not a folder of the workspace ({exc.strerror})") from None


@contextlib.contextmanager
def _opened(name: str, flags: int, folder: int, shown: str, owner: Owner = None) -> Generator[int]:
    """`name` opened without following a symlink; a file created here is given to `owner`."""
    try:
        fd = open_new(name, flags | _FILE, folder, owner)
    except FileNotFoundError:
        raise ActionError(f"no file {shown!r} in the workspace; list_files shows what is there") from None
    except IsADirectoryError:
        raise ActionError(f"{shown!r} is a folder, not a file") from None
    except OSError as exc:
        why = "it was replaced by a symlink" if exc.errno == errno.ELOOP else exc.strerror
        raise ActionError(f"cannot open {shown!r}: {why}") from None
    try:
        yield fd
    finally:
        os.close(fd)


def _regular(fd: int, shown: str) -> os.stat_result:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        raise ActionError(f"{shown!r} is not a regular file")
    if info.st_nlink > 1:
        raise ActionError(f"{shown!r} has other hard links; refused")
    return info


def _suffix(info: os.stat_result) -> str:
    if stat.S_ISDIR(info.st_mode):
        return "/"
    return "@" if stat.S_ISLNK(info.st_mode) else ""
