"""The container parts of the `openenv-mcp` command: `build`, and `claude-config --docker`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from openenv_mcp.containers.build import DEFAULT_BASE_IMAGE, build_image, image_tag
from openenv_mcp.containers.claude import docker_claude_config

__all__ = ["add_build_command", "add_docker_options", "build", "print_docker_config"]


def add_build_command(commands: Any) -> None:
    """Register `openenv-mcp build ENV [--tag] [--base-image] [--dir]` on the CLI's subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser("build", help="build an environment's Docker image")
    parser.add_argument("env", metavar="ENV")
    parser.add_argument("--tag", help="image tag (default: openenv-mcp-<env>:latest)")
    parser.add_argument("--base-image", default=DEFAULT_BASE_IMAGE, help="image with python3 and venv")
    parser.add_argument(
        "--dir",
        metavar="DIR",
        help="the environment's package folder, with its pyproject.toml and Dockerfile "
        "(default: environments/ENV of this checkout, else found from the installed entry point)",
    )


def add_docker_options(config: argparse.ArgumentParser) -> None:
    """Add `--docker` and `--image` to `claude-config`."""
    config.add_argument("--docker", action="store_true", help="run the environment's image (docker run -i)")
    config.add_argument("--image", help="image tag for --docker (default: openenv-mcp-<env>:latest)")


def build(args: argparse.Namespace) -> int:
    """Build and print progress lines as the engine sends them; errors are `OpenEnvError`s."""
    package = Path(args.dir) if args.dir else None
    tag = build_image(args.env, tag=args.tag, base_image=args.base_image, package=package, progress=_line)
    print(f"built {tag}; run it with: docker run -i --rm --network none {tag}")
    return 0


def print_docker_config(args: argparse.Namespace) -> int:
    print(
        json.dumps(
            docker_claude_config(args.env, image=args.image or image_tag(args.env), mode=args.mode), indent=2
        )
    )
    return 0


def _line(text: str) -> None:
    print(text, flush=True)
