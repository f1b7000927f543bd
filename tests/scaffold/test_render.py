"""What `create_package` writes: every file, every placeholder filled, never over an existing folder."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from openenv_mcp.scaffold import Names, ScaffoldError, create_package, render_files
from openenv_mcp.scaffold.render import CODEACT, PLACEHOLDER, PLAIN, Flavour
from tests.scaffold.venv import CHECKOUT

TREE = {
    ".gitignore",
    "Dockerfile",
    "README.md",
    "openenv.yaml",
    "pyproject.toml",
    "openenv_mcp_maze/__init__.py",
    "openenv_mcp_maze/environment.py",
    "openenv_mcp_maze/oracle.py",
    "openenv_mcp_maze/py.typed",
    "tests/test_maze.py",
}


@pytest.mark.parametrize("flavour", [PLAIN, CODEACT])
def test_every_file_is_written_with_every_placeholder_filled(flavour: Flavour) -> None:
    files = render_files(Names("maze"), flavour)
    assert set(files) == TREE
    for path, text in files.items():
        assert not PLACEHOLDER.search(text), f"{path}: {PLACEHOLDER.search(text)}"


def test_the_entry_point_names_the_class() -> None:
    project = tomllib.loads(render_files(Names("maze"))["pyproject.toml"])
    assert project["project"]["name"] == "openenv-mcp-maze"
    assert project["project"]["entry-points"]["openenv_mcp.environments"] == {
        "maze": "openenv_mcp_maze:MazeEnvironment"
    }
    assert project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["openenv_mcp_maze"]


@pytest.mark.parametrize("flavour", [PLAIN, CODEACT])
def test_the_dockerfile_installs_from_the_context_as_a_numeric_user(flavour: Flavour) -> None:
    dockerfile = render_files(Names("maze"), flavour)["Dockerfile"]
    assert "ARG BASE_IMAGE=" in dockerfile and "FROM ${BASE_IMAGE}" in dockerfile
    assert "--no-index" in dockerfile and "--find-links /tmp/wheels openenv-mcp-maze" in dockerfile
    assert re.search(r"^USER 10001:10001$", dockerfile, re.MULTILINE)
    assert '"openenv-mcp", "serve", "maze"' in dockerfile
    assert ("--sandbox" in dockerfile) == (flavour is CODEACT)


def test_the_codeact_flavour_is_a_codeact_environment() -> None:
    environment = render_files(Names("maze"), CODEACT)["openenv_mcp_maze/environment.py"]
    assert "class MazeEnvironment(CodeActEnvironment):" in environment
    assert "class MazeOptions(CodeActOptions):" in environment
    plain = render_files(Names("maze"), PLAIN)["openenv_mcp_maze/environment.py"]
    assert "class MazeEnvironment(Environment):" in plain


@pytest.mark.parametrize("flavour", [PLAIN, CODEACT])
def test_the_manifest_declares_reward_oracle_and_floor(flavour: Flavour) -> None:
    manifest = render_files(Names("maze"), flavour)["openenv.yaml"]
    for line in (
        "spec_version: 1",
        "name: maze",
        "range: [0.0, 1.0]",
        "oracle_tolerance: 0.0",
        "floor_margin: 0.5",
        "location: openenv_mcp_maze/oracle.py",
        "kind: reward_channel",
        "mode: no-network",
    ):
        assert re.search(rf"^\s*{re.escape(line)}$", manifest, re.MULTILINE), line


def test_create_package_writes_dir_name(tmp_path: Path) -> None:
    folder = create_package("maze", tmp_path / "new", codeact=True)
    assert folder == (tmp_path / "new" / "maze").resolve()
    written = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert written == TREE
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["maze"], "no staging folder is left"


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "maze").mkdir()
    (tmp_path / "maze" / "mine.txt").write_text("keep")
    with pytest.raises(ScaffoldError, match=r"maze already exists: init never overwrites"):
        create_package("maze", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["maze"]
    assert [p.name for p in (tmp_path / "maze").iterdir()] == ["mine.txt"]


def test_a_refused_name_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match="already installed"):
        create_package("echo", tmp_path)
    assert not list(tmp_path.iterdir())


@pytest.mark.subprocess
@pytest.mark.parametrize("codeact", [False, True])
def test_the_generated_code_is_formatted_and_lint_clean(tmp_path: Path, codeact: bool) -> None:
    # The longest name allowed: no generated line grows past the package's own line length.
    folder = create_package("a" * 11 + "_" + "b" * 12, tmp_path, codeact=codeact)
    ruff = [sys.executable, "-m", "ruff"]
    for command in (["format", "--check", "."], ["check", "."]):
        done = subprocess.run([*ruff, *command], cwd=folder, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.subprocess
def test_the_wheel_ships_every_template(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None
    built = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(tmp_path), str(CHECKOUT)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("openenv_mcp-*.whl")
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if "/scaffold/templates/" in n}
    templates = CHECKOUT / "openenv_mcp" / "scaffold" / "templates"
    expected = {f"openenv_mcp/scaffold/templates/{p.relative_to(templates)}" for p in templates.rglob("*.*")}
    assert shipped == expected
