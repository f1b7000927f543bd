"""`openenv-mcp init NAME [--codeact] [--dir DIR]`: write a new environment's package."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from openenv_mcp.scaffold.names import Names
from openenv_mcp.scaffold.render import create_package

__all__ = ["add_init_command", "init"]


def add_init_command(commands: Any) -> None:
    """Register `openenv-mcp init` on the CLI's subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "init", help="write a ready package for a new environment (code, tests, Dockerfile, openenv.yaml)"
    )
    parser.add_argument(
        "name", metavar="NAME", help="lowercase letters, digits and underscores, e.g. maze_runner"
    )
    parser.add_argument(
        "--codeact", action="store_true", help="a CodeActEnvironment: the agent acts by writing Python"
    )
    parser.add_argument(
        "--dir", default=".", metavar="DIR", help="where the package folder DIR/NAME goes (default: here)"
    )


def init(args: argparse.Namespace) -> int:
    """Write the package and say what to do next; errors are `ScaffoldError`s."""
    folder = create_package(args.name, args.dir, codeact=args.codeact)
    names = Names(args.name)
    shown = _shown(folder)
    kind = "CodeActEnvironment" if args.codeact else "Environment"
    print(f"wrote {shown}: package {names.package}, the {kind} {names.class_name}; next:")
    steps = [
        (f"uv pip install -e {shown}", f"or: pip install -e {shown}"),
        ("openenv-mcp list", f"{args.name} is listed"),
        (f"(cd {shown} && pytest)", "its tests (with pytest and pytest-asyncio installed)"),
        (f"openenv-mcp serve {args.name}", "serve it over HTTP (or --transport stdio)"),
        (f"openenv-mcp build {args.name}", "its Docker image"),
    ]
    width = max(len(command) for command, _ in steps) + 2
    for command, note in steps:
        print(f"  {command.ljust(width)}# {note}")
    return 0


def _shown(folder: Path) -> str:
    """The folder relative to here when it is below here, else absolute."""
    try:
        return str(folder.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(folder)
