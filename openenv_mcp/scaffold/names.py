"""The names a new environment gets from the one its author chooses, and which choices are refused."""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass

from openenv_mcp import discovery
from openenv_mcp.scaffold.errors import ScaffoldError

__all__ = ["NAME_PATTERN", "Names", "check_name"]

NAME_PATTERN = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
"""Lowercase letters and digits, words joined by single underscores, starting with a letter: a
Python identifier, an entry-point name and, with `-` for `_`, a distribution and a Docker tag."""
MAX_LENGTH = 24


@dataclass(frozen=True)
class Names:
    """Everything named after an environment.

    >>> names = Names("maze_runner")
    >>> names.package, names.distribution, names.class_name, names.options_class
    ('openenv_mcp_maze_runner', 'openenv-mcp-maze-runner', 'MazeRunnerEnvironment', 'MazeRunnerOptions')
    """

    name: str

    @property
    def package(self) -> str:
        return f"openenv_mcp_{self.name}"

    @property
    def distribution(self) -> str:
        return f"openenv-mcp-{self.name.replace('_', '-')}"

    @property
    def camel(self) -> str:
        return "".join(word.capitalize() for word in self.name.split("_"))

    @property
    def class_name(self) -> str:
        return f"{self.camel}Environment"

    @property
    def options_class(self) -> str:
        return f"{self.camel}Options"

    @property
    def title(self) -> str:
        return self.name.replace("_", " ")


def check_name(name: str) -> Names:
    """The names of a new environment `name`; a `ScaffoldError` that says why for a name refused.

    >>> check_name("maze").package
    'openenv_mcp_maze'
    >>> check_name("Maze")
    Traceback (most recent call last):
    ...
    openenv_mcp.scaffold.errors.ScaffoldError: 'Maze' is not a valid environment name: ...
    """
    if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_LENGTH:
        raise ScaffoldError(
            f"{name!r} is not a valid environment name: use lowercase letters and digits, words joined "
            f"by single underscores, starting with a letter, at most {MAX_LENGTH} characters "
            "(for example 'maze' or 'maze_runner')"
        )
    if name in discovery.available():
        raise ScaffoldError(
            f"an environment named {name!r} is already installed (see `openenv-mcp list`): "
            "choose another name"
        )
    names = Names(name)
    if importlib.util.find_spec(names.package) is not None:
        raise ScaffoldError(f"a package {names.package!r} is already importable here: choose another name")
    return names
