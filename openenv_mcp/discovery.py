"""Finding installed environments through the `openenv_mcp.environments` entry-point group.

Any distribution can add an environment by declaring, in its pyproject.toml::

    [project.entry-points."openenv_mcp.environments"]
    mygame = "my_package:MyGameEnvironment"
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points
from typing import cast

from openenv_mcp.environment import Environment
from openenv_mcp.errors import DefinitionError, UnknownEnvironmentError

__all__ = ["ENTRY_POINT_GROUP", "available", "load"]

ENTRY_POINT_GROUP = "openenv_mcp.environments"


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def available() -> list[str]:
    """Names of every installed environment, sorted."""
    return sorted(_entry_points())


def load(name: str) -> type[Environment]:
    """The environment class registered under `name`."""
    found = _entry_points().get(name)
    if found is None:
        known = ", ".join(available()) or "(none installed)"
        raise UnknownEnvironmentError(f"no environment named {name!r}; installed environments: {known}")
    loaded = found.load()
    if not (isinstance(loaded, type) and issubclass(loaded, Environment)):
        raise DefinitionError(f"entry point {name!r} ({found.value}) is not an Environment subclass")
    return cast("type[Environment]", loaded)
