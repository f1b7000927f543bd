"""Each environment's `openenv.yaml`, generated from its code: the test keeps the files equal to this.

Names, descriptions, tools and tasks come from the environment classes; reward ranges from
their reward constants and default options; the oracle is named only where the folder holds
one (python's reference solutions, terminal's per-task solutions). Run with
``OPENENV_MCP_WRITE_MANIFESTS=1`` to rewrite the files after changing an environment.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from openenv_mcp import Environment
from openenv_mcp_connect_four import ConnectFourEnvironment, ConnectFourOptions
from openenv_mcp_echo import EchoEnvironment
from openenv_mcp_mcp_proxy import McpProxyEnvironment
from openenv_mcp_openenv_bridge import OpenEnvBridgeEnvironment
from openenv_mcp_python import PythonEnvironment
from openenv_mcp_terminal import TerminalEnvironment
from openenv_mcp_wordle import WordleEnvironment
from openenv_mcp_wordle.environment import (
    GREEN_REWARD,
    LETTER_REWARD,
    SOLVE_REWARD,
    SPARE_GUESS_REWARD,
    WordleOptions,
)

__all__ = ["ENVIRONMENTS", "FACTS", "Facts", "manifest_path", "render"]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Facts:
    """What the code does not say in one place: the reward's bounds and why, the oracle, the tags."""

    low: float
    high: float
    why: str
    floor_margin: float
    tags: tuple[str, ...]
    oracle: tuple[str, str] | None = None
    """The oracle artifact (package-relative) and what it is."""
    episode_timeout_s: float = 60.0


def _wordle_high() -> float:
    guesses = WordleOptions.model_fields["max_guesses"].metadata
    most = max(getattr(m, "le", 0) or 0 for m in guesses)
    return round(5 * GREEN_REWARD + 5 * LETTER_REWARD + SOLVE_REWARD + SPARE_GUESS_REWARD * (most - 1), 6)


def _connect_four_low() -> float:
    steps = ConnectFourEnvironment.default_max_steps or 0
    return round(-1.0 - ConnectFourOptions().illegal_move_penalty * (steps - 1), 6)


FACTS: dict[str, Facts] = {
    "echo": Facts(
        0.0, math.inf, "message length times reward_scale, summed: unbounded", 0.1, ("demo", "echo")
    ),
    "wordle": Facts(
        0.0,
        _wordle_high(),
        "new greens and letters, then a solve bonus and one per spare guess (max_guesses up to 10)",
        WordleEnvironment.floor_margin,
        ("game", "wordle"),
        ("openenv_mcp_wordle/environment.py", "the oracle_action hook, which guesses the secret at once"),
    ),
    "connect_four": Facts(
        _connect_four_low(),
        1.0,
        "win 1, draw 0, loss -1; each illegal drop loses illegal_move_penalty (default options)",
        ConnectFourEnvironment.floor_margin,
        ("game", "connect-four"),
        ("openenv_mcp_connect_four/oracle.py", "a line of drops that wins, found on copies of the episode"),
    ),
    "python": Facts(
        0.0,
        1.0,
        "the fraction of hidden tests passed, paid as it improves",
        PythonEnvironment.floor_margin,
        ("coding", "python", "codeact"),
        ("tests/solutions", "a reference solution per task: submitted, it passes every hidden test"),
        600.0,
    ),
    "terminal": Facts(
        0.0,
        1.0,
        "1 when check finds the task solved",
        TerminalEnvironment.floor_margin,
        ("terminal", "shell", "codeact"),
        ("openenv_mcp_terminal/tasks", "each task instance's reference solution: run, check passes"),
        900.0,
    ),
    "openenv_bridge": Facts(
        -math.inf,
        math.inf,
        "the remote OpenEnv environment's rewards, passed through: its bounds are the remote's",
        0.1,
        ("bridge", "openenv"),
    ),
    "mcp_proxy": Facts(
        0.0,
        math.inf,
        "the reward hook's per call (default 0; `success` pays 1 a call): unbounded",
        0.1,
        ("tools", "mcp"),
    ),
}

ENVIRONMENTS: dict[str, type[Environment]] = {
    "echo": EchoEnvironment,
    "wordle": WordleEnvironment,
    "connect_four": ConnectFourEnvironment,
    "python": PythonEnvironment,
    "terminal": TerminalEnvironment,
    "mcp_proxy": McpProxyEnvironment,
    "openenv_bridge": OpenEnvBridgeEnvironment,
}


def manifest_path(name: str) -> Path:
    return ROOT / "environments" / name / "openenv.yaml"


def _number(value: float) -> str:
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(float(value))


def render(cls: type[Environment]) -> str:
    """The manifest of `cls`, in the format `openenv-mcp init` writes."""
    facts = FACTS[cls.name]
    # A bridge's tools are the remote's, listed when it serves: it declares none of its own.
    tools = [d.name for d in cls.actions()]
    tasks = cls.tasks()
    lines = [
        "# OpenEnv's environment manifest (RFC 008): what `openenv validate DIR` reads. Generated from",
        "# the environment's code by tests/openenv/manifests.py; test_manifests.py fails when it drifts.",
        "spec_version: 1",
        f"name: {cls.name}",
        "version: 0.1.0",
        f"description: {json.dumps(cls.description)}",
        "# The image serves Streamable HTTP here when started with `--transport http --host 0.0.0.0",
        f"# --port 8000`: MCP at /envs/{cls.name}/mcp, OpenEnv's base URL at /envs/{cls.name} (and /).",
        "port: 8000",
        "validation:",
        "  reward:",
        f"    # An episode's total reward: {facts.why}.",
        f"    range: [{_number(facts.low)}, {_number(facts.high)}]",
        "    oracle_tolerance: 0.0",
        f"    floor_margin: {facts.floor_margin!r}",
        "  resources:",
        "    cpu: 1.0",
        "    memory_mb: 1024",
        "    disk_mb: 64",
        f"    episode_timeout_s: {facts.episode_timeout_s!r}",
        "  capabilities:",
        "    # The reward is the served one: each step's reward in the result's _meta, `step`, and /ws.",
        "    verifier:",
        "      kind: reward_channel",
    ]
    if facts.oracle is not None:
        location, what = facts.oracle
        lines += [
            f"    # The oracle: {what}; `openenv-mcp validate {cls.name}` plays it (semantic.oracle_max).",
            "    oracle:",
            "      form: script",
            f"      location: {location}",
        ]
    else:
        lines.append(
            "    # No oracle: the reward is unbounded (`openenv-mcp validate` skips semantic.oracle_max)."
        )
    if tasks:
        lines += ["    task_api: true", f"    declared_task_count: {{all: {len(tasks)}}}"]
    lines.append(f"    declared_tools: [{', '.join(tools)}]")
    lines += ["  network:", "    mode: no-network", "  types:", f"    tags: [{', '.join(facts.tags)}]", ""]
    return "\n".join(lines)
