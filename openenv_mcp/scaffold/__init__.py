"""`openenv-mcp init`: a ready package for a new environment, from templates shipped here.

    create_package("maze", "environments")  # -> environments/maze, package openenv_mcp_maze

The package has an entry point in the `openenv_mcp.environments` group, an `Environment`
(or, with `codeact=True`, a `CodeActEnvironment`) with one tool, options, a reward and an
ending, tests through the public API, a README, a Dockerfile and an `openenv.yaml` manifest.
"""

from openenv_mcp.scaffold.errors import ScaffoldError
from openenv_mcp.scaffold.names import Names, check_name
from openenv_mcp.scaffold.render import create_package, render_files

__all__ = ["Names", "ScaffoldError", "check_name", "create_package", "render_files"]
