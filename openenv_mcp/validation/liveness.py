"""`runtime.tool_liveness`: a tool that fails every call, or never changes anything, is flagged."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openenv_mcp.environment import Environment
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.spec.data import jsonable
from openenv_mcp.validation.policies import random_arguments
from openenv_mcp.validation.report import CheckResult

if TYPE_CHECKING:
    from openenv_mcp.validation.runner import Runs

__all__ = ["tool_liveness"]

_TRIES = 4
_MAX_FILES = 200


def _snapshot(env: Environment) -> str:
    view: Any = env.board_view()
    state = [jsonable(env.state().extra), jsonable(view), _workspace(env)]
    return json.dumps(state, sort_keys=True, default=str)


def _workspace(env: Environment) -> list[tuple[str, str]]:
    """A code environment's workspace files and their digests (what its tools mostly change)."""
    root = getattr(getattr(env, "sandbox", None), "workspace", None)
    if not isinstance(root, Path) or not root.is_dir():
        return []
    files = sorted(path for path in root.rglob("*") if path.is_file())[:_MAX_FILES]
    return [(str(path.relative_to(root)), hashlib.sha256(path.read_bytes()).hexdigest()) for path in files]


def _examples(env: Environment) -> list[ToolCallAction]:
    examples: list[object] = list(getattr(env, "example_actions", list)())
    return [a for a in examples if isinstance(a, ToolCallAction)]


def _tries(env: Environment, tool: str, schema: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The environment's own example calls of `tool` first (they know a valid word), then random ones."""
    own = [dict(a.parameters) for a in _examples(env) if a.tool_name == tool]
    return [*own, *(random_arguments(schema, rng) for _ in range(_TRIES))][: max(_TRIES, len(own))]


async def _set_up(env: Environment, tool: str) -> None:
    """Play the example actions that come before the first example call of `tool` (a note to recall)."""
    examples = _examples(env)
    first = next((i for i, a in enumerate(examples) if a.tool_name == tool), 0)
    for action in examples[:first]:
        await env.step(action)


async def tool_liveness(env_class: type[Environment], runs: Runs) -> CheckResult:
    """Each tool, called a few times with random arguments in a fresh episode, works at least once;
    a tool that may change things (not read-only) changes the state, the board or the reward."""
    check = "runtime.tool_liveness"
    dead: list[str] = []
    idle: list[str] = []
    probe = env_class()
    try:
        await probe.reset(seed=0, options=None if runs.tasks[0] is None else {"task": runs.tasks[0]})
        definitions = probe.definitions()
    finally:
        await probe.close()
    for definition in definitions:
        rng = random.Random(definition.name)
        env = env_class()
        try:
            await env.reset(seed=0, options=None if runs.tasks[0] is None else {"task": runs.tasks[0]})
            await _set_up(env, definition.name)
            worked = changed = False
            for arguments in _tries(env, definition.name, definition.input_schema, rng):
                before = _snapshot(env)
                result = await env.step(ToolCallAction(tool_name=definition.name, parameters=arguments))
                worked = worked or result.error is None
                changed = changed or result.reward != 0 or _snapshot(env) != before
                if result.terminated or result.truncated:
                    break
        finally:
            await env.close()
        if not worked:
            dead.append(definition.name)
        elif not changed and not definition.annotations.read_only:
            idle.append(definition.name)
    if dead:
        return CheckResult(check, "fail", f"failed every call: {', '.join(dead)}", {"idle": idle})
    if idle:
        said = f"never changed the state, board, reward or workspace: {', '.join(idle)}"
        return CheckResult(check, "warn", said)
    return CheckResult(check, "pass", f"all {len(definitions)} tool(s) work and act")
