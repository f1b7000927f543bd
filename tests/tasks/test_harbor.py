"""Harbor task folders read as tasks: the files they hold, and each broken folder named."""

from __future__ import annotations

from pathlib import Path

import pytest

from openenv_mcp.errors import TaskError
from openenv_mcp.tasks import load
from tests.tasks.harbor_fixture import write_task


def test_a_task_folder_and_a_folder_of_them(tmp_path: Path) -> None:
    write_task(tmp_path, "b-task")
    folder = write_task(tmp_path, "a-task")
    (tmp_path / "notes").mkdir()  # not a task: passed over
    assert load(tmp_path).ids == ["a-task", "b-task"]
    task = load(folder)["a-task"]
    harbor = task.options["task"]
    assert harbor["title"] == "demo/answer" and harbor["instruction"].startswith("Write the answer")
    assert harbor["files"] == {"data/hint.txt": "the answer is a number\n"}, "the Dockerfile is not a file"
    assert set(harbor["tests"]) == {"test.sh", "expected.txt"} and harbor["verifier_timeout"] == 20.0
    assert harbor["solution"] == "echo 42 > answer.txt\n" and task.data["metadata"] == {"difficulty": "easy"}


@pytest.mark.parametrize("missing", ["task.toml", "instruction.md", "tests/test.sh"])
def test_a_missing_file_is_named(tmp_path: Path, missing: str) -> None:
    folder = write_task(tmp_path)
    (folder / missing).unlink()
    with pytest.raises(TaskError, match=f"{missing} is missing"):
        load(tmp_path)


def test_bad_toml_binary_files_and_links_are_named(tmp_path: Path) -> None:
    folder = write_task(tmp_path)
    (folder / "task.toml").write_text("[verifier\n")
    with pytest.raises(TaskError, match=r"task\.toml is not valid TOML"):
        load(folder)
    (folder / "task.toml").write_text("[verifier]\ntimeout_sec = -1\n")
    with pytest.raises(TaskError, match="timeout_sec must be a positive number"):
        load(folder)
    (folder / "task.toml").write_text("")
    (folder / "tests" / "blob.bin").write_bytes(b"\xff\xfe")
    with pytest.raises(TaskError, match=r"blob\.bin is not UTF-8 text"):
        load(tmp_path)
    (folder / "tests" / "blob.bin").unlink()
    (folder / "tests" / "link").symlink_to("/etc/passwd")
    with pytest.raises(TaskError, match="is a symbolic link"):
        load(folder)
