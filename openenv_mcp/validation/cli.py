"""`openenv-mcp validate ENV... [--json FILE]`: every check, a table, and exit codes 0, 1 or 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import anyio

from openenv_mcp import discovery
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.validation.report import Report
from openenv_mcp.validation.runner import validate

__all__ = ["add_validate_command", "run_validate"]


def add_validate_command(commands: Any) -> None:
    """Register `openenv-mcp validate` on the CLI's subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "validate", help="check environments: conformance, an oracle, the floor gap, leaks, determinism"
    )
    parser.add_argument("names", nargs="*", metavar="ENV", help="environments to check (default: every one)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--tasks", type=int, default=3, help="tasks per environment to play (default 3)")
    parser.add_argument("--max-steps", type=int, default=12, help="steps per played episode (default 12)")


def run_validate(args: argparse.Namespace) -> int:
    """Validate each named environment; 0: all pass, 1: a check failed, 2: one could not run."""
    names: list[str] = args.names or discovery.available()
    reports: list[Report] = []
    for name in names:
        try:
            env_class = discovery.load(name)
        except OpenEnvError as exc:
            reports.append(Report(name, error=str(exc)))
            print(reports[-1].table())
            continue
        report = anyio.run(_validate, env_class, args.tasks, args.max_steps)
        reports.append(report)
        print(report.table(), flush=True)
    if args.json is not None:
        args.json.write_text(json.dumps([r.to_json() for r in reports], indent=2, default=str) + "\n")
    return max((r.exit_code() for r in reports), default=0)


async def _validate(env_class: Any, tasks: int, max_steps: int) -> Report:
    def say(message: str) -> None:
        print(f"  ... {message}", file=sys.stderr, flush=True)

    return await validate(env_class, tasks=tasks, max_steps=max_steps, progress=say)
