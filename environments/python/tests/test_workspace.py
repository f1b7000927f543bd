"""Host-side file access: confined to the workspace, symlinks and special files refused, sizes capped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from openenv_mcp.errors import ActionError
from openenv_mcp_python.workspace import READ_LIMIT, WRITE_LIMIT, Workspace


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("host secret")
    return folder


@pytest.fixture
def workspace(root: Path) -> Workspace:
    return Workspace(root)


def test_write_read_and_list(workspace: Workspace, root: Path) -> None:
    assert workspace.write_text("pkg/mod.py", "x = 1\n") == 6
    assert workspace.read_text("pkg/mod.py") == "x = 1\n"
    assert workspace.read_text("/workspace/pkg/./mod.py") == "x = 1\n"
    assert workspace.write_text("pkg/mod.py", "y") == 1
    assert (root / "pkg" / "mod.py").read_text() == "y"
    (root / "pkg" / "inner").mkdir()
    assert workspace.listing() == ["pkg/"]
    assert workspace.listing("/workspace/pkg") == ["inner/", "mod.py"]


@pytest.mark.parametrize("path", ["/etc/passwd", "/workspace/../etc/passwd", "/", "/workspacex/a"])
def test_absolute_paths_outside_are_refused(workspace: Workspace, path: str) -> None:
    with pytest.raises(ActionError, match="outside the workspace"):
        workspace.read_text(path)


@pytest.mark.parametrize("path", ["..", "../secret.txt", "a/../../secret.txt", "/workspace/.."])
def test_dot_dot_escapes_are_refused(workspace: Workspace, path: str) -> None:
    with pytest.raises(ActionError, match=r"'\.\.'|outside"):
        workspace.read_text(path)
    with pytest.raises(ActionError, match=r"'\.\.'|outside"):
        workspace.write_text(path, "overwritten")
    assert (Path(workspace.root).parent / "secret.txt").read_text() == "host secret"


def test_symlinks_out_of_the_workspace_are_not_followed(workspace: Workspace, root: Path) -> None:
    (root / "passwd").symlink_to("/etc/passwd")
    (root / "up").symlink_to(root.parent)
    (root / "dangling").symlink_to(root.parent / "new.txt")
    for path in ("passwd", "up/secret.txt"):
        with pytest.raises(ActionError, match="leads outside the workspace"):
            workspace.read_text(path)
    for path in ("passwd", "up/secret.txt", "dangling"):
        with pytest.raises(ActionError, match="leads outside the workspace"):
            workspace.write_text(path, "pwned")
    with pytest.raises(ActionError, match="leads outside the workspace"):
        workspace.listing("up")
    assert (root.parent / "secret.txt").read_text() == "host secret"
    assert not (root.parent / "new.txt").exists()
    assert workspace.listing() == ["dangling@", "passwd@", "up@"]


def test_symlinks_inside_the_workspace_work(workspace: Workspace, root: Path) -> None:
    workspace.write_text("real.txt", "hello")
    (root / "alias.txt").symlink_to("real.txt")
    assert workspace.read_text("alias.txt") == "hello"


def test_a_symlink_swapped_in_after_the_check_is_refused(
    workspace: Workspace, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process left running in the sandbox could swap a file for a symlink between check and open."""
    (root / "passwd").symlink_to("/etc/passwd")
    (root / "up").symlink_to(root.parent)
    monkeypatch.setattr(os.path, "realpath", os.path.normpath)  # as if the check saw no symlink
    with pytest.raises(ActionError, match="replaced by a symlink"):
        workspace.read_text("passwd")
    with pytest.raises(ActionError, match="not a folder of the workspace"):
        workspace.write_text("up/secret.txt", "pwned")
    assert (root.parent / "secret.txt").read_text() == "host secret"


def test_special_files_and_hard_links_are_refused(workspace: Workspace, root: Path) -> None:
    os.mkfifo(root / "pipe")
    with pytest.raises(ActionError, match="not a regular file"):
        workspace.read_text("pipe")
    with pytest.raises(ActionError, match="cannot open 'pipe'"):
        workspace.write_text("pipe", "x")
    workspace.write_text("a.txt", "a")
    os.link(root / "a.txt", root / "b.txt")
    with pytest.raises(ActionError, match="hard links"):
        workspace.read_text("b.txt")


def test_sizes_are_capped(workspace: Workspace, root: Path) -> None:
    with pytest.raises(ActionError, match="over the limit"):
        workspace.write_text("big.txt", "x" * (WRITE_LIMIT + 1))
    assert not (root / "big.txt").exists()
    (root / "big.txt").write_text("x" * (READ_LIMIT + 1))
    with pytest.raises(ActionError, match="at most"):
        workspace.read_text("big.txt")
    workspace.write_text("ok.txt", "x" * READ_LIMIT)
    assert len(workspace.read_text("ok.txt")) == READ_LIMIT


def test_clear_errors_for_missing_and_wrong_kinds(workspace: Workspace, root: Path) -> None:
    with pytest.raises(ActionError, match=r"no file 'nope\.py'"):
        workspace.read_text("nope.py")
    with pytest.raises(ActionError, match="no folder"):
        workspace.listing("nowhere")
    with pytest.raises(ActionError, match="workspace folder itself"):
        workspace.read_text(".")
    (root / "folder").mkdir()
    with pytest.raises(ActionError, match="not a regular file"):
        workspace.read_text("folder")
    with pytest.raises(ActionError, match="is a folder"):
        workspace.write_text("folder", "x")
    (root / "bin.dat").write_bytes(b"\xff\xfe")
    with pytest.raises(ActionError, match="not UTF-8"):
        workspace.read_text("bin.dat")
    with pytest.raises(ActionError, match="NUL"):
        workspace.read_text("a\0b")


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another user needs root")
def test_what_the_host_creates_belongs_to_the_workspace_owner(workspace: Workspace, root: Path) -> None:
    """A sandbox running as a user of its own must be able to change what the host wrote for it."""
    (root / "kept.txt").write_text("the host's")
    os.chown(root, 4242, 4343)
    workspace.write_text("pkg/sub/mod.py", "x = 1\n")
    workspace.write_text("top.py", "y = 2\n")
    for made in ("pkg", "pkg/sub", "pkg/sub/mod.py", "top.py"):
        info = os.stat(root / made, follow_symlinks=False)
        assert (info.st_uid, info.st_gid) == (4242, 4343), made
    workspace.write_text("kept.txt", "rewritten")  # only what the host creates changes hands
    assert os.stat(root / "kept.txt").st_uid == os.geteuid()
