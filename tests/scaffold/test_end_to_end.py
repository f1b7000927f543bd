"""`init`, then what its README says, in a virtual environment of its own: install, test, list.

Both flavours are made in a temporary folder and installed editable, with this checkout,
into a fresh venv; the generated tests run with that venv's pytest and pass as generated.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from openenv_mcp.scaffold import create_package
from tests.scaffold.venv import CHECKOUT, Venv, make_venv

pytestmark = pytest.mark.subprocess


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Venv, dict[str, Path]]]:
    """A venv with this checkout, a plain package and a CodeAct one installed editable."""
    root = tmp_path_factory.mktemp("init-end-to-end")
    suffix = secrets.token_hex(3)
    packages = {
        f"plain_{suffix}": create_package(f"plain_{suffix}", root / "made"),
        f"codeact_{suffix}": create_package(f"codeact_{suffix}", root / "made", codeact=True),
    }
    venv = make_venv(
        root / "venv", [str(CHECKOUT), *map(str, packages.values())], ("pytest", "pytest-asyncio")
    )
    yield venv, packages
    shutil.rmtree(root, ignore_errors=True)


def test_the_generated_tests_pass_as_generated(made: tuple[Venv, dict[str, Path]]) -> None:
    venv, packages = made
    for name, folder in packages.items():
        ran = venv.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=folder, timeout=180)
        assert ran.returncode == 0, f"{name}:\n{ran.stdout[-4000:]}\n{ran.stderr[-2000:]}"
        assert "8 passed" in ran.stdout and "skipped" not in ran.stdout, ran.stdout[-2000:]


def test_the_installed_environments_are_listed_and_their_folders_found(
    made: tuple[Venv, dict[str, Path]],
) -> None:
    venv, packages = made
    listed = venv.run("openenv-mcp", "list")
    assert listed.returncode == 0, listed.stderr
    for name, folder in packages.items():
        assert name in listed.stdout
        found = venv.run(
            "python",
            "-c",
            f"from openenv_mcp.containers.context import find_package; print(find_package({name!r}))",
        )
        assert found.stdout.strip() == str(folder), found.stderr


def test_init_refuses_a_name_installed_there(made: tuple[Venv, dict[str, Path]], tmp_path: Path) -> None:
    venv, packages = made
    name = next(iter(packages))
    refused = venv.run("openenv-mcp", "init", name, "--dir", tmp_path)
    assert refused.returncode == 2
    assert f"an environment named {name!r} is already installed" in refused.stderr
    assert not list(tmp_path.iterdir())
