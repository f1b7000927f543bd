"""The workspace copy a check judges: faithful for files and directories, never following a link, bounded."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from openenv_mcp.errors import ActionError
from openenv_mcp_terminal import snapshot
from openenv_mcp_terminal.snapshot import copy_workspace


@pytest.fixture
def source(tmp_path: Path) -> Path:
    root = tmp_path / "agent"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "bin" / "run.sh").chmod(0o755)
    (root / "deep" / "er").mkdir(parents=True)
    (root / "deep" / "er" / "data.txt").write_text("42\n")
    (root / "notes.txt").write_text("plain\n")
    (tmp_path / "secret.txt").write_text("host secret\n")
    return root


@pytest.fixture
def target(tmp_path: Path) -> Path:
    root = tmp_path / "grader"
    root.mkdir()
    return root


def tree(root: Path) -> dict[str, str]:
    """Every entry under `root`: a file's mode and text, a directory, or a link's target text."""
    found: dict[str, str] = {}
    for folder, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(folder) / name
            shown = str(path.relative_to(root))
            if path.is_symlink():
                found[shown] = f"-> {os.readlink(path)}"
            elif path.is_dir():
                found[shown] = "dir"
            else:
                found[shown] = f"{stat.S_IMODE(path.stat().st_mode):o} {path.read_text()}"
    return found


def test_files_directories_and_modes_are_copied(source: Path, target: Path) -> None:
    copy_workspace(source, target)
    assert tree(target) == tree(source)
    assert tree(target)["bin/run.sh"] == "755 #!/bin/sh\necho hi\n"
    assert tree(target)["notes.txt"].startswith("644 ")


def test_symbolic_links_are_recreated_and_never_followed(source: Path, target: Path) -> None:
    links = {
        "passwd": "/etc/passwd",
        "environ": "/proc/self/environ",
        "secret": str(source.parent / "secret.txt"),
        "up": "..",
        "alias": "deep/er",
    }
    for name, pointed in links.items():
        (source / name).symlink_to(pointed)
    copy_workspace(source, target)
    for name, pointed in links.items():
        assert (target / name).is_symlink() and os.readlink(target / name) == pointed
    copied = "".join(tree(target).values())
    assert "host secret" not in copied and "root:" not in copied


def test_special_files_are_skipped_and_hard_links_become_files(source: Path, target: Path) -> None:
    os.mkfifo(source / "pipe")
    os.link(source / "notes.txt", source / "same.txt")
    copy_workspace(source, target)
    assert not (target / "pipe").exists()
    (target / "same.txt").write_text("changed")
    assert (target / "notes.txt").read_text() == "plain\n"


def test_read_only_directories_keep_their_mode_and_their_entries(source: Path, target: Path) -> None:
    (source / "deep").chmod(0o555)
    copy_workspace(source, target)
    assert stat.S_IMODE((target / "deep").stat().st_mode) == 0o555
    assert (target / "deep" / "er" / "data.txt").read_text() == "42\n"


@pytest.mark.parametrize(
    ("bound", "value", "message"),
    [
        ("COPY_BYTES", 20, "more than 20 bytes of files"),
        ("COPY_ENTRIES", 5, "more than 5 files and directories"),
        ("COPY_DEPTH", 1, "directories nested more than 1 deep"),
    ],
)
def test_a_copy_past_a_bound_is_refused_with_the_reason(
    source: Path, target: Path, monkeypatch: pytest.MonkeyPatch, bound: str, value: int, message: str
) -> None:
    monkeypatch.setattr(snapshot, bound, value)
    with pytest.raises(ActionError, match=f"the workspace is too large to check \\({message}\\)"):
        copy_workspace(source, target)


def test_a_sparse_file_counts_by_its_size(source: Path, target: Path) -> None:
    with open(source / "sparse.bin", "wb") as file:
        file.truncate(snapshot.COPY_BYTES + 1)
    with pytest.raises(ActionError, match="too large to check"):
        copy_workspace(source, target)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving files to another user needs root")
def test_the_copy_belongs_to_the_grader_workspace_owner(source: Path, target: Path) -> None:
    (source / "link").symlink_to("/etc/passwd")
    os.chown(target, 4242, 4343)
    copy_workspace(source, target)
    for folder, folders, files in os.walk(target):
        for name in folders + files:
            info = os.stat(Path(folder) / name, follow_symlinks=False)
            assert (info.st_uid, info.st_gid) == (4242, 4343), name
