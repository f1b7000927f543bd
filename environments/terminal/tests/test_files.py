"""The workspace file access on its own: confinement, size caps, listings (no sandbox needed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openenv_mcp.errors import ActionError
from openenv_mcp_terminal import Workspace
from openenv_mcp_terminal.files import READ_LIMIT, WRITE_LIMIT


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("outside\n")
    return Workspace(root)


def test_relative_and_absolute_workspace_paths_name_the_same_file(workspace: Workspace) -> None:
    workspace.write_text("a/b.txt", "hello\n")
    assert workspace.read_text("/workspace/a/b.txt") == "hello\n"
    assert workspace.read_text("./a//b.txt") == "hello\n"
    assert workspace.relative("/workspace") == "."
    assert (workspace.root / "a" / "b.txt").read_text() == "hello\n"


@pytest.mark.parametrize("path", ["/etc/passwd", "/workspacex/a", "/", "/tmp/x"])
def test_absolute_paths_outside_the_workspace_are_refused(workspace: Workspace, path: str) -> None:
    with pytest.raises(ActionError, match="outside the workspace"):
        workspace.read_text(path)


@pytest.mark.parametrize("path", ["..", "../secret.txt", "a/../../secret.txt", "/workspace/../etc/passwd"])
def test_dot_dot_escapes_are_refused(workspace: Workspace, path: str) -> None:
    with pytest.raises(ActionError, match="outside the workspace"):
        workspace.read_text(path)
    with pytest.raises(ActionError, match="outside the workspace"):
        workspace.write_text(path, "x")


def test_symbolic_links_leading_outside_are_refused_for_every_access(workspace: Workspace) -> None:
    os.symlink("/etc/passwd", workspace.root / "passwd")
    os.symlink("..", workspace.root / "up")
    for path in ("passwd", "up/secret.txt"):
        with pytest.raises(ActionError, match="through a symbolic link"):
            workspace.read_text(path)
        with pytest.raises(ActionError, match="through a symbolic link"):
            workspace.write_text(path, "owned")
    with pytest.raises(ActionError, match="through a symbolic link"):
        workspace.listing("up")
    assert (workspace.root.parent / "secret.txt").read_text() == "outside\n"
    assert not workspace.exists("passwd")


def test_symbolic_links_inside_the_workspace_work(workspace: Workspace) -> None:
    workspace.write_text("real/data.txt", "42\n")
    os.symlink("real", workspace.root / "alias")
    os.symlink("real/data.txt", workspace.root / "link.txt")
    assert workspace.read_text("alias/data.txt") == "42\n"
    workspace.write_text("link.txt", "43\n")
    assert workspace.read_text("real/data.txt") == "43\n"
    kinds = {entry.name: entry.kind for entry in workspace.listing().entries}
    assert kinds == {"alias": "link", "link.txt": "link", "real": "dir"}


def test_special_files_are_refused_without_blocking(workspace: Workspace) -> None:
    os.mkfifo(workspace.root / "pipe")
    with pytest.raises(ActionError, match="not a regular file"):
        workspace.read_text("pipe")
    with pytest.raises(ActionError, match="pipe"):
        workspace.write_text("pipe", "x")
    assert [entry.kind for entry in workspace.listing().entries] == ["other"]


def test_directories_and_missing_files_are_clear_errors(workspace: Workspace) -> None:
    workspace.write_text("dir/file.txt", "")
    with pytest.raises(ActionError, match="is a directory"):
        workspace.read_text("dir")
    with pytest.raises(ActionError, match="no such file"):
        workspace.read_text("nope.txt")
    with pytest.raises(ActionError, match="not a directory"):
        workspace.write_text("dir/file.txt/inner", "x")
    with pytest.raises(ActionError, match="workspace directory itself"):
        workspace.write_text(".", "x")
    with pytest.raises(ActionError, match="non-empty"):
        workspace.read_text("")


def test_sizes_are_capped(workspace: Workspace) -> None:
    with pytest.raises(ActionError, match="exceeds the limit"):
        workspace.write_text("big.txt", "x" * (WRITE_LIMIT + 1))
    workspace.write_text("big.txt", "y" * (READ_LIMIT + 10))
    text = workspace.read_text("big.txt")
    assert text.startswith("y" * READ_LIMIT)
    assert f"file cut at {READ_LIMIT} of {READ_LIMIT + 10} bytes" in text


def test_modes_are_kept_unless_set(workspace: Workspace) -> None:
    workspace.write_text("run.sh", "#!/bin/sh\n", executable=True)
    assert workspace.is_executable("run.sh")
    workspace.write_text("run.sh", "#!/bin/sh\necho hi\n")
    assert workspace.is_executable("run.sh")
    workspace.write_text("run.sh", "", executable=False)
    assert not workspace.is_executable("run.sh")


def test_listings_are_sorted_and_files_walks_the_tree(workspace: Workspace) -> None:
    for path in ("b.txt", "a/z.txt", "a/c/d.txt", ".hidden"):
        workspace.write_text(path, "12")
    listing = workspace.listing()
    assert [entry.name for entry in listing.entries] == [".hidden", "a", "b.txt"]
    assert listing.to_text() == ".hidden  (2 bytes)\na/\nb.txt  (2 bytes)"
    assert workspace.files() == [".hidden", "a/c/d.txt", "a/z.txt", "b.txt"]
    assert workspace.listing("a/c").path == "a/c"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another user needs root")
def test_what_the_host_creates_belongs_to_the_workspace_owner(workspace: Workspace) -> None:
    """A sandbox running as a user of its own must be able to change what the host wrote for it."""
    workspace.write_text("kept.txt", "the host's\n")
    os.chown(workspace.root, 4242, 4343)
    workspace.write_text("a/b/c.txt", "made\n", executable=True)
    workspace.write_text("top.txt", "made\n")
    for made in ("a", "a/b", "a/b/c.txt", "top.txt"):
        info = os.stat(workspace.root / made, follow_symlinks=False)
        assert (info.st_uid, info.st_gid) == (4242, 4343), made
    workspace.write_text("kept.txt", "rewritten\n")  # only what the host creates changes hands
    assert os.stat(workspace.root / "kept.txt").st_uid == os.geteuid()
