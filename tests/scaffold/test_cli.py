"""`openenv-mcp init NAME [--codeact] [--dir DIR]`: what it prints, and how it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from openenv_mcp.cli import main


def test_init_writes_the_package_and_says_what_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "maze", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    folder = tmp_path / "maze"
    assert f"wrote {folder.resolve()}: package openenv_mcp_maze, the Environment MazeEnvironment" in out
    assert f"uv pip install -e {folder.resolve()}" in out and "openenv-mcp build maze" in out
    assert (folder / "openenv_mcp_maze" / "environment.py").is_file()


def test_init_codeact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "coder", "--codeact", "--dir", str(tmp_path)]) == 0
    assert "the CodeActEnvironment CoderEnvironment" in capsys.readouterr().out
    assert "CodeActEnvironment" in (tmp_path / "coder" / "openenv_mcp_coder" / "environment.py").read_text()


def test_init_defaults_to_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "maze"]) == 0
    assert "wrote maze: " in capsys.readouterr().out
    assert (tmp_path / "maze" / "pyproject.toml").is_file()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("Maze", "'Maze' is not a valid environment name: use lowercase letters and digits"),
        ("echo", "an environment named 'echo' is already installed (see `openenv-mcp list`)"),
    ],
)
def test_a_refused_name_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, message: str
) -> None:
    assert main(["init", name, "--dir", str(tmp_path)]) == 2
    assert f"openenv-mcp: error: {message}" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_an_existing_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "maze").mkdir()
    assert main(["init", "maze", "--dir", str(tmp_path)]) == 2
    assert "maze already exists: init never overwrites" in capsys.readouterr().err
