"""The conformance check every environment passes (in the spirit of Gymnasium's `check_env`).

    await check_environment(EchoEnvironment)

It checks the tool schemas, that some action works (an example action, or a tool called
with the plainest arguments its schema takes), that a seeded reset is reproducible, that each tool's bad
input (an unknown argument, a missing one, one of the wrong type) is answered with an
error observation rather than an exception, that `state` agrees with the steps taken,
and that `close` leaves no child process and no temporary file behind. Environments may
offer `example_actions()` to have the check replay them under a seed and compare runs.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from jsonschema import Draft202012Validator

from openenv_mcp.environment import RESERVED_NAMES, Environment
from openenv_mcp.spec import CodeAction, StepResult, ToolCallAction, ToolDefinition
from openenv_mcp.spec.data import jsonable

__all__ = ["ConformanceError", "check_environment", "check_works", "child_pids", "plain_arguments"]


class ConformanceError(AssertionError):
    """An environment breaks the contract; the message says which part."""


def child_pids(pid: int | None = None) -> set[int]:
    """The pids of every live descendant of `pid` (default: this process), read from /proc."""
    root = os.getpid() if pid is None else pid
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = [root]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current and child not in found:
                found.add(child)
                frontier.append(child)
    return found


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


def check_definitions(
    env_class: type[Environment], definitions: Iterable[ToolDefinition] | None = None
) -> None:
    """Every inner tool has a valid name, description and JSON Schemas.

    `definitions` are the tools to check where they are listed at runtime (default: the class's).
    """
    _require(bool(env_class.name), "the environment has no name")
    for definition in env_class.actions() if definitions is None else definitions:
        _require(definition.name not in RESERVED_NAMES, f"tool {definition.name!r} uses a reserved name")
        _require(bool(definition.description), f"tool {definition.name!r} has no description (docstring)")
        Draft202012Validator.check_schema(definition.input_schema)
        _require(
            definition.input_schema.get("type") == "object", f"{definition.name!r}: input is not an object"
        )
        if definition.output_schema is not None:
            Draft202012Validator.check_schema(definition.output_schema)
        definition.to_mcp()
    Draft202012Validator.check_schema(env_class.options_schema())


def _fingerprint(result: StepResult) -> tuple[Any, ...]:
    return (jsonable(result.observation), result.reward, result.terminated, result.truncated)


async def _replay(env_class: type[Environment], seed: int) -> tuple[Any, list[tuple[Any, ...]]]:
    env = env_class()
    try:
        first = await env.reset(seed=seed)
        actions: list[ToolCallAction | CodeAction] = list(getattr(env, "example_actions", list)())
        results = [await env.step(action) for action in actions]
        _check_state(env, results)
        return jsonable(first.observation), [_fingerprint(r) for r in results]
    finally:
        await env.close()


def _check_state(env: Environment, results: list[StepResult]) -> None:
    """`state()` agrees with the steps taken."""
    state = env.state()
    counted = [r for r in results if not (r.error or "").startswith("the episode has ended")]
    _require(
        state.step_count == len(counted), f"state().step_count is {state.step_count}, not {len(counted)}"
    )
    total = sum(r.reward for r in counted)
    _require(abs(state.total_reward - total) < 1e-9, f"state().total_reward {state.total_reward} != {total}")
    if results:
        last = results[-1]
        ended = (state.terminated, state.truncated) == (last.terminated, last.truncated)
        _require(ended, "state() disagrees with the last step on terminated/truncated")


async def check_determinism(env_class: type[Environment], seed: int = 1234) -> None:
    """Two episodes with the same seed start, and go on, the same way."""
    first = await _replay(env_class, seed)
    second = await _replay(env_class, seed)
    _require(first == second, f"reset(seed={seed}) is not reproducible: {first!r} != {second!r}")


async def check_bad_input(env_class: type[Environment]) -> None:
    """Bad actions answer error observations and the episode goes on."""
    env = env_class()
    try:
        await env.reset(seed=0)
        bad: list[ToolCallAction | CodeAction] = [ToolCallAction(tool_name="no_such_tool__")]
        for definition in env.definitions():
            bad.append(ToolCallAction(tool_name=definition.name, parameters={"no_such_argument__": 1}))
            if definition.input_schema.get("required"):
                bad.append(ToolCallAction(tool_name=definition.name, parameters={}))
            bad += _mistyped(definition.name, definition.input_schema)
        if type(env).run_code is Environment.run_code:
            bad.append(CodeAction(code="1"))
        for action in bad:
            if env.terminated or env.truncated:
                await env.reset(seed=0)
            result = await env.step(action)
            _require(result.error is not None, f"{action!r} was accepted; it should be an error observation")
        env.state()
    finally:
        await env.close()


_WRONG: dict[str, Any] = {
    "string": 12345,
    "integer": "x",
    "number": "x",
    "boolean": "x",
    "array": "x",
    "object": "x",
}


def _mistyped(tool: str, schema: dict[str, Any]) -> list[ToolCallAction | CodeAction]:
    """One call per typed parameter, with a value of the wrong type (the others left valid or absent)."""
    calls: list[ToolCallAction | CodeAction] = []
    properties: dict[str, Any] = schema.get("properties") or {}
    for name, spec in properties.items():
        kind = cast(dict[str, Any], spec).get("type") if isinstance(spec, dict) else None
        wrong = _WRONG.get(kind) if isinstance(kind, str) else None
        if wrong is not None:
            calls.append(ToolCallAction(tool_name=tool, parameters={name: wrong}))
    return calls


def _held_paths(env: Environment) -> set[Path]:
    """Temporary files and directories the episode says it holds: its sandbox workspace, paths in state."""
    held: set[Path] = set()
    workspace = getattr(getattr(env, "sandbox", None), "workspace", None)
    if isinstance(workspace, Path):
        held.add(workspace)
    root = Path(tempfile.gettempdir())
    for value in env.state().extra.values():
        if isinstance(value, str) and value.startswith(str(root)) and Path(value).exists():
            held.add(Path(value))
    return held


async def check_close(env_class: type[Environment]) -> None:
    """After close, no process and no temporary file or directory the episode held is left."""
    before = child_pids()
    env = env_class()
    await env.reset(seed=0)
    examples: list[ToolCallAction | CodeAction] = list(getattr(env, "example_actions", list)())
    for action in examples[:2]:
        await env.step(action)
    held = _held_paths(env)
    await env.close()
    await env.close()
    leaked = child_pids() - before
    _require(not leaked, f"close left {len(leaked)} process(es) behind: {sorted(leaked)}")
    left = sorted(str(path) for path in held if path.exists())
    _require(not left, f"close left temporary files behind: {left}")


_PLAIN: dict[str, Any] = {
    "string": "a",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "array": [],
    "object": {},
}


def plain_arguments(schema: dict[str, Any]) -> dict[str, Any]:
    """The simplest arguments a schema may accept: defaults, first choices, minimums, empty values."""
    arguments: dict[str, Any] = {}
    properties: dict[str, Any] = schema.get("properties") or {}
    required: list[str] = schema.get("required") or []
    for name in required:
        spec: dict[str, Any] = properties.get(name) or {}
        if "enum" in spec:
            arguments[name] = spec["enum"][0]
        elif isinstance(spec.get("type"), str):
            arguments[name] = spec.get("minimum", _PLAIN.get(spec["type"]))
    return arguments


async def check_works(env_class: type[Environment]) -> None:
    """Some action works: an example action, or a tool called with the plainest arguments its schema takes.

    A class whose every tool raises passes every other check (its errors are observations);
    this one it fails.
    """
    env = env_class()
    try:
        await env.reset(seed=0)
        examples: list[ToolCallAction | CodeAction] = list(getattr(env, "example_actions", list)())
        tries = examples or [
            ToolCallAction(tool_name=d.name, parameters=plain_arguments(d.input_schema))
            for d in env.definitions()
        ]
        errors: list[str] = []
        for action in tries:
            if env.terminated or env.truncated:
                await env.reset(seed=0)
            result = await env.step(action)
            if result.error is None:
                return
            errors.append(result.error)
        _require(False, f"no action of {env_class.name!r} works; it answered: {errors[:3]}")
    finally:
        await env.close()


async def listed_definitions(env_class: type[Environment]) -> list[ToolDefinition]:
    """The tools an instance of `env_class` offers (its runtime tools, where it lists them)."""
    env = env_class()
    try:
        return [tool.definition for tool in await env.list_tools()]
    finally:
        await env.close()


async def check_environment(env_class: type[Environment]) -> None:
    """Run every check; raises `ConformanceError` on the first failure."""
    check_definitions(env_class, await listed_definitions(env_class))
    await check_works(env_class)
    await check_determinism(env_class)
    await check_bad_input(env_class)
    await check_close(env_class)
