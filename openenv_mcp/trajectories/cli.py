"""The command line's part in trajectories: `serve --record DIR` and `openenv-mcp replay FILE`."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import Any

import anyio

from openenv_mcp import discovery
from openenv_mcp.trajectories.recorder import Recording, read_trajectory
from openenv_mcp.trajectories.replay import replay

__all__ = ["add_record_option", "add_replay_command", "record_servers", "run_replay"]


def add_record_option(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--record",
        metavar="DIR",
        help="record every episode's trajectory as JSON Lines in DIR (one file per episode and reset)",
    )


def record_servers(servers: Iterable[Any], directory: str | None) -> None:
    """Give each server's registry a recording in `directory` (none: nothing is recorded)."""
    if directory is not None:
        for server in servers:
            server.registry.recording = Recording(directory)


def add_replay_command(commands: Any) -> None:
    replay_parser = commands.add_parser(
        "replay", help="re-run a recorded trajectory on its seed and task; report the first divergence"
    )
    replay_parser.add_argument("file", metavar="FILE", help="a trajectory's JSON Lines file (from --record)")
    replay_parser.add_argument("--env", help="the environment to replay on (default: the recorded one)")


def run_replay(args: argparse.Namespace) -> int:
    """Exit 0 when the replay matches, 1 at a divergence (printed); errors are the caller's (2)."""
    trajectory = read_trajectory(args.file)
    env_class = discovery.load(args.env or trajectory.start.env)
    found = anyio.run(replay, trajectory, env_class())
    if found is None:
        print(f"{args.file}: replayed {len(trajectory.steps)} steps identically")
        return 0
    print(f"{args.file}: diverged at {found}")
    return 1
