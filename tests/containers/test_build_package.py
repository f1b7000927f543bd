"""`openenv-mcp build` of an environment package outside this checkout's environments/ folder.

The package's folder is found from its entry point (or named with `--dir`); the build context
gets that folder's Dockerfile and the package's wheel beside openenv-mcp's and its
dependencies'. The last test does it all for real: `init`, a venv of its own, `build`, and
`docker run` of the image over stdio.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import anyio
import pytest

from openenv_mcp import CodeAction, ToolCallAction
from openenv_mcp.cli import main
from openenv_mcp.client import EnvClient
from openenv_mcp.containers import (
    DEFAULT_BASE_IMAGE,
    ContainerError,
    DockerEngine,
    ImageTarget,
    context,
    image_tag,
)
from openenv_mcp.containers import cli as containers_cli
from openenv_mcp.containers.context import find_package, find_source, package_dockerfile, prepare_context
from openenv_mcp.scaffold import create_package
from tests.scaffold.venv import CHECKOUT, make_venv

LOCAL_BASE_IMAGE = "openenv-mcp-base:bookworm"
"""Built by scripts/setup-docker.sh where no registry is reachable (as in conftest.py)."""
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    },
}


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    """Stands in for prepare_wheels' folder: openenv-mcp's wheel, by name (only names are read here)."""
    folder = tmp_path / "prepared"
    folder.mkdir()
    (folder / "openenv_mcp-0.1.0-py3-none-any.whl").write_bytes(b"")
    return folder


@pytest.fixture
def no_downloads(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record what would be downloaded instead of downloading it."""
    asked: list[list[str]] = []

    def download(source: Path, wheels: Path, requirements: list[str]) -> None:
        asked.append(requirements)

    monkeypatch.setattr(context, "_download", download)
    return asked


def only_entry_point(module: str, distribution: str) -> Callable[..., list[SimpleNamespace]]:
    """An `entry_points` that finds one environment, maze, in `module` of `distribution`."""

    def entry_points(group: str) -> list[SimpleNamespace]:
        return [SimpleNamespace(name="maze", module=module, dist=SimpleNamespace(name=distribution))]

    return entry_points


@pytest.mark.subprocess
def test_a_package_context_holds_its_dockerfile_and_its_wheel(
    tmp_path: Path, wheels: Path, no_downloads: list[list[str]]
) -> None:
    folder = create_package("maze", tmp_path)
    lines: list[str] = []
    built = prepare_context(
        "maze", tmp_path / "context", wheels=wheels, package=folder, progress=lines.append
    )
    assert (built / "Dockerfile").read_text() == (folder / "Dockerfile").read_text()
    names = sorted(p.name for p in (built / "wheels").iterdir())
    assert names == ["openenv_mcp-0.1.0-py3-none-any.whl", "openenv_mcp_maze-0.1.0-py3-none-any.whl"]
    assert no_downloads == [], "openenv-mcp is in the context already: nothing is fetched"
    assert f"building the wheel of maze from {folder}" in lines


@pytest.mark.subprocess
def test_a_dependency_the_context_lacks_is_downloaded(
    tmp_path: Path, wheels: Path, no_downloads: list[list[str]]
) -> None:
    folder = create_package("maze", tmp_path)
    pyproject = folder / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('["openenv-mcp>=0.1"]', '["openenv-mcp>=0.1", "tomli-w>=1"]')
    )
    prepare_context("maze", tmp_path / "context", wheels=wheels, package=folder, progress=lambda _: None)
    assert no_downloads == [["tomli-w>=1"]]


def test_an_environment_of_this_checkout_keeps_its_dockerfile(tmp_path: Path, wheels: Path) -> None:
    built = prepare_context("echo", tmp_path / "context", wheels=wheels, progress=lambda _: None)
    source = find_source()
    assert (built / "Dockerfile").read_text() == (source / "environments/echo/Dockerfile").read_text()
    assert [p.name for p in (built / "wheels").iterdir()] == ["openenv_mcp-0.1.0-py3-none-any.whl"]


def test_an_unknown_environment_names_what_can_be_built() -> None:
    with pytest.raises(ContainerError, match=r"no environment 'chess'.*images exist for: echo.*--dir DIR"):
        find_package("chess")


def test_the_folder_is_the_one_whose_pyproject_names_the_distribution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # openenv_mcp_echo lives in environments/echo, inside the distribution openenv-mcp.
    monkeypatch.setattr(context, "entry_points", only_entry_point("openenv_mcp_echo", "openenv_mcp"))
    assert find_package("maze") == CHECKOUT
    monkeypatch.setattr(context, "entry_points", only_entry_point("openenv_mcp_echo", "someone-else"))
    with pytest.raises(ContainerError, match=r"not inside its source folder.*pip install -e DIR"):
        find_package("maze")


def test_a_module_outside_any_source_folder_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "entry_points", only_entry_point("pydantic", "pydantic"))
    with pytest.raises(
        ContainerError, match=r"'maze' is installed from .*site-packages.*install it editable"
    ):
        find_package("maze")


def test_a_folder_without_a_dockerfile_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ContainerError, match=r"has no Dockerfile: .*`openenv-mcp init` writes both"):
        package_dockerfile(tmp_path)


def test_build_dir_names_the_package_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def build_image(env: str, **options: object) -> str:
        seen.update(options, env=env)
        return "built:tag"

    monkeypatch.setattr(containers_cli, "build_image", build_image)
    assert main(["build", "maze", "--dir", str(tmp_path), "--base-image", "base:1"]) == 0
    assert (seen["env"], seen["package"], seen["base_image"]) == ("maze", tmp_path, "base:1")
    args = argparse.Namespace(env="echo", tag=None, base_image="b", dir=None)
    assert containers_cli.build(args) == 0 and seen["package"] is None


def _base_image(engine: DockerEngine) -> str:
    base = os.environ.get("OPENENV_MCP_BASE_IMAGE")
    if base is None:
        base = LOCAL_BASE_IMAGE if engine.image_exists(LOCAL_BASE_IMAGE) else DEFAULT_BASE_IMAGE
    return base


def _server_name(tag: str) -> str:
    ran = subprocess.run(
        ["docker", "run", "-i", "--rm", "--network", "none", tag],
        input=json.dumps(INITIALIZE) + "\n",
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert ran.stdout, ran.stderr[-2000:]
    return json.loads(ran.stdout.splitlines()[0])["result"]["serverInfo"]["name"]


SEARCH = """
low, high = 1, 100
while (answer := guess(middle := (low + high) // 2)) != "right":
    low, high = (middle + 1, high) if answer == "low" else (low, middle - 1)
"""
"""The CodeAct oracle's binary search, as one code action."""


async def _play(name: str, codeact: bool) -> tuple[float, bool]:
    """One winning episode in the image of `name`, as a trainer plays it: reward and terminated."""
    with anyio.fail_after(90):
        async with EnvClient(ImageTarget(name)) as env:
            if codeact:
                await env.reset(seed=0)
                result = await env.step(CodeAction(code=SEARCH))
            else:
                await env.reset(seed=0, options={"max_value": 1})
                result = await env.step(ToolCallAction(tool_name="guess", parameters={"number": 1}))
            return result.reward, result.terminated


@pytest.mark.docker
@pytest.mark.subprocess
@pytest.mark.timeout(420)
def test_an_initialized_package_becomes_an_image_that_serves_it(engine: DockerEngine, tmp_path: Path) -> None:
    suffix = secrets.token_hex(3)
    names = [f"plain_{suffix}", f"codeact_{suffix}"]
    folders = [
        create_package(names[0], tmp_path / "made"),
        create_package(names[1], tmp_path / "made", codeact=True),
    ]
    venv = make_venv(tmp_path / "venv", [f"{CHECKOUT}[docker]", *map(str, folders)])
    base, built = _base_image(engine), list[str]()
    try:
        for name in names:
            ran = venv.run("openenv-mcp", "build", name, "--base-image", base, timeout=300)
            assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
            built.append(image_tag(name))
            assert f"built {image_tag(name)}" in ran.stdout
            assert _server_name(image_tag(name)) == name
            assert anyio.run(_play, name, name.startswith("codeact")) == (1.0, True)
    finally:
        if built:
            subprocess.run(["docker", "rmi", "-f", *built], capture_output=True, timeout=60)
        shutil.rmtree(tmp_path, ignore_errors=True)
    assert not any(engine.image_exists(tag) for tag in built)
