"""The command line's part in rewards from outside: ``serve --reward MODULE:CALLABLE[=WEIGHT]``."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from openenv_mcp.rewards.loading import load_rubric
from openenv_mcp.rewards.server import reward_server

if TYPE_CHECKING:
    from openenv_mcp.server import EnvServer

__all__ = ["add_reward_option", "reward_servers"]


def add_reward_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reward",
        action="append",
        default=[],
        metavar="MODULE:CALLABLE[=WEIGHT]",
        help="a reward function from outside (TRL's signature), repeatable; each step's info gets "
        "external_rewards and combined_reward (the environment's reward plus the weighted sum)",
    )


def reward_servers(servers: Iterable[EnvServer], specs: Sequence[str] | None) -> None:
    """Score every episode of each server with the rewards `specs` name (none: nothing changes)."""
    rubric = load_rubric(specs or [])
    if rubric is not None:
        for server in servers:
            reward_server(server, rubric)
