"""Which names `init` takes, and what it names after them."""

from __future__ import annotations

import pytest

from openenv_mcp.scaffold import Names, ScaffoldError, check_name


@pytest.mark.parametrize("name", ["maze", "maze_runner", "go9", "a1_2b", "x" * 24])
def test_a_good_name_is_taken(name: str) -> None:
    assert check_name(name) == Names(name)


@pytest.mark.parametrize(
    "name", ["", "Maze", "maze-runner", "9lives", "_maze", "maze_", "maze__runner", "ma ze", "mazé", "x" * 25]
)
def test_a_bad_name_is_refused_with_the_rule(name: str) -> None:
    with pytest.raises(ScaffoldError, match="is not a valid environment name: use lowercase letters"):
        check_name(name)


def test_an_installed_name_is_refused() -> None:
    with pytest.raises(ScaffoldError, match="an environment named 'echo' is already installed"):
        check_name("echo")


def test_an_importable_package_is_refused() -> None:
    # `openenv_mcp_adapters` is this project's adapters package, not an environment.
    with pytest.raises(ScaffoldError, match="a package 'openenv_mcp_adapters' is already importable"):
        check_name("adapters")


def test_the_names_derived() -> None:
    names = Names("maze_runner")
    assert names.distribution == "openenv-mcp-maze-runner"
    assert (names.class_name, names.options_class) == ("MazeRunnerEnvironment", "MazeRunnerOptions")
