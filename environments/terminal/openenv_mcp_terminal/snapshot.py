"""Copy the agent's workspace into a grader's sandbox: what a verifier judges, and nothing more.

The copy is made on the host, from descriptors: every directory and file of the agent's
workspace is opened with ``O_NOFOLLOW`` below a descriptor of its root, so processes the
agent left running cannot redirect it by swapping in a link. What it copies:

- directories and regular files, with their permission bits (so ``chmod +x`` counts);
- symbolic links as symbolic links, their target text copied and never followed: inside
  the grader's sandbox a link to ``/etc/passwd`` or ``/proc/self/environ`` names that
  sandbox's own (absent or harmless) file, and the verifier's host-side reads refuse links
  that lead outside the workspace, as the file tools do;
- nothing else: FIFOs, sockets and devices are skipped, and hard links become separate files.

Everything created is given to the owner of the grader's workspace root. The copy is
bounded (`COPY_BYTES`, `COPY_ENTRIES`, `COPY_DEPTH`); past a bound it stops with an
`ActionError` that says which, and the check fails with that message.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Generator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from openenv_mcp.errors import ActionError
from openenv_mcp_terminal.files import Owner, workspace_owner

__all__ = ["COPY_BYTES", "COPY_DEPTH", "COPY_ENTRIES", "copy_workspace"]

COPY_BYTES = 64 * 1024 * 1024
"""Most bytes of file content (and link text) a check copies."""
COPY_ENTRIES = 10_000
"""Most directory entries a check copies (skipped ones included)."""
COPY_DEPTH = 64
"""Deepest directory nesting a check copies."""

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_CHUNK = 1024 * 1024


@dataclass
class _Copy:
    """One copy in progress: where the new files go to, and what is left of the bounds."""

    owner: Owner
    bytes_left: int
    entries_left: int

    def take(self, *, entries: int = 0, size: int = 0) -> None:
        self.entries_left -= entries
        self.bytes_left -= size
        if self.entries_left < 0:
            raise ActionError(_too_large(f"more than {COPY_ENTRIES} files and directories"))
        if self.bytes_left < 0:
            raise ActionError(_too_large(f"more than {_size(COPY_BYTES)} of files"))


def copy_workspace(source: Path, target: Path) -> None:
    """Copy the workspace at `source` into the empty workspace `target` of another sandbox.

    Raises:
        ActionError: a bound was passed, or the copy could not be written.
    """
    copy = _Copy(workspace_owner(target), COPY_BYTES, COPY_ENTRIES)
    source_fd = os.open(source, _DIR)
    try:
        target_fd = os.open(target, _DIR)
        try:
            _copy_dir(source_fd, target_fd, copy, depth=0)
        finally:
            os.close(target_fd)
    finally:
        os.close(source_fd)


def _copy_dir(source: int, target: int, copy: _Copy, depth: int) -> None:
    if depth > COPY_DEPTH:
        raise ActionError(_too_large(f"directories nested more than {COPY_DEPTH} deep"))
    names: list[str] = []
    with os.scandir(source) as entries:
        for entry in entries:
            copy.take(entries=1)
            names.append(entry.name)
    for name in names:
        try:
            info = os.stat(name, dir_fd=source, follow_symlinks=False)
        except OSError:
            continue  # gone since the listing: the agent's own processes may still change it
        if stat.S_ISDIR(info.st_mode):
            _copy_subdir(name, source, target, copy, depth)
        elif stat.S_ISREG(info.st_mode):
            _copy_file(name, source, target, copy)
        elif stat.S_ISLNK(info.st_mode):
            _copy_link(name, source, target, copy)


def _copy_subdir(name: str, source: int, target: int, copy: _Copy, depth: int) -> None:
    try:
        child = os.open(name, _DIR, dir_fd=source)
    except OSError:
        return  # replaced by a link or removed in the meantime
    try:
        mode = stat.S_IMODE(os.fstat(child).st_mode) & 0o777
        with _writing():
            made = _make_dir(name, target, copy.owner)
        try:
            _copy_dir(child, made, copy, depth + 1)
            with _writing():
                os.fchmod(made, mode)  # last, so that a read-only directory still gets its entries
        finally:
            os.close(made)
    finally:
        os.close(child)


def _make_dir(name: str, target: int, owner: Owner) -> int:
    os.mkdir(name, 0o700, dir_fd=target)
    made = os.open(name, _DIR, dir_fd=target)
    if owner is not None:
        os.fchown(made, *owner)
    return made


def _copy_file(name: str, source: int, target: int, copy: _Copy) -> None:
    try:
        original = os.open(name, _READ, dir_fd=source)
    except OSError:
        return
    try:
        info = os.fstat(original)
        if not stat.S_ISREG(info.st_mode):
            return  # swapped for a FIFO or a device after the listing
        copy.take(size=info.st_size)
        with _writing():
            made = os.open(name, _CREATE, 0o600, dir_fd=target)
        try:
            with _writing():
                if copy.owner is not None:
                    os.fchown(made, *copy.owner)
            _copy_content(original, made, copy, info.st_size)
            with _writing():
                os.fchmod(made, stat.S_IMODE(info.st_mode) & 0o777)
        finally:
            os.close(made)
    finally:
        os.close(original)


def _copy_content(original: int, made: int, copy: _Copy, counted: int) -> None:
    """Copy the bytes; a file that grew since its size was counted is charged for the growth."""
    copied = 0
    while chunk := _read(original):
        copied += len(chunk)
        if copied > counted:
            copy.take(size=copied - counted)
            counted = copied
        view = memoryview(chunk)
        with _writing():
            while view:
                view = view[os.write(made, view) :]


def _read(original: int) -> bytes:
    try:
        return os.read(original, _CHUNK)
    except OSError:
        return b""  # unreadable from here on: the copy keeps what it got


def _copy_link(name: str, source: int, target: int, copy: _Copy) -> None:
    try:
        pointed = os.readlink(name, dir_fd=source)
    except OSError:
        return
    copy.take(size=len(os.fsencode(pointed)))
    with _writing():
        os.symlink(pointed, name, dir_fd=target)
        if copy.owner is not None:
            os.chown(name, *copy.owner, dir_fd=target, follow_symlinks=False)


@contextmanager
def _writing() -> Generator[None]:
    """Writes to the grader's workspace: their failure (a full disk, a quota) fails the check."""
    try:
        yield
    except OSError as exc:
        raise ActionError(f"the workspace could not be copied for the check: {exc.strerror}") from None


def _size(count: int) -> str:
    """A byte count for people.

    >>> _size(64 * 1024 * 1024), _size(20)
    ('64 MiB', '20 bytes')
    """
    return f"{count // (1024 * 1024)} MiB" if count >= 1024 * 1024 else f"{count} bytes"


def _too_large(what: str) -> str:
    return f"the workspace is too large to check ({what}); remove what the task does not need"
