"""Prompts: an environment's briefing, and each task's statement, for a person to hand to a model.

Claude Desktop offers prompts to the person, who picks one to start a conversation: `briefing`
gives the first observation of an episode for a seed and the environment's simple options,
and `task_<id>` that of one task. Each ends by saying how to play that very episode, with
the tool the caller sees (`reset`, or `open_episode` without control). The list is fixed per
server and per view (control or not): it never varies by connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from mcp import MCPError
from mcp.types import INVALID_PARAMS, GetPromptResult, Prompt, PromptArgument, PromptMessage, TextContent

from openenv_mcp.environment import Environment
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.server.briefing import briefing
from openenv_mcp.spec.wire import observation_text

__all__ = ["BRIEFING", "TASK_PREFIX", "PromptArgumentSpec", "Prompts"]

BRIEFING = "briefing"
TASK_PREFIX = "task_"
_SEED = "seed"
_MAX_SEED = 2**63 - 1


@dataclass(frozen=True)
class PromptArgumentSpec:
    """A prompt argument: a seed, or an episode option of a simple type (all arrive as strings)."""

    name: str
    description: str
    kind: str
    """JSON Schema type: "integer", "number", "boolean" or "string"."""
    choices: tuple[str, ...] = ()
    """An enum's values as strings (and "false", "true" for a boolean): what completion offers."""

    def parse(self, text: str) -> Any:
        """The argument's value from its text; `ValueError` naming the problem."""
        if self.kind == "boolean":
            if text.lower() not in ("true", "false"):
                raise ValueError(f"{self.name} must be true or false, not {text!r}")
            return text.lower() == "true"
        if self.choices and text not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(self.choices)}, not {text!r}")
        if self.kind == "integer":
            return int(text)
        return float(text) if self.kind == "number" else text


def _option_arguments(env_class: type[Environment]) -> list[PromptArgumentSpec]:
    """The episode options a prompt can take: those of one simple type (an enum, a scalar)."""
    specs: list[PromptArgumentSpec] = []
    for name, schema in env_class.options_schema().get("properties", {}).items():
        variants = [v for v in [schema, *schema.get("anyOf", [])] if v.get("type") != "null"]
        kinds = {v.get("type") for v in variants if "type" in v}
        enum = [v for variant in variants for v in variant.get("enum", [])]
        kind = next(iter(kinds)) if len(kinds) == 1 else "string" if enum and not kinds else None
        if name == _SEED or kind not in ("integer", "number", "boolean", "string"):
            continue
        choices = ("false", "true") if kind == "boolean" else tuple(str(v) for v in enum if v is not None)
        if name == "task" and not choices:
            choices = tuple(env_class.tasks())
        description = schema.get("description", "") + f" (default: {json.dumps(schema.get('default'))})"
        specs.append(PromptArgumentSpec(name, description.strip(), str(kind), choices))
    return specs


_SEED_ARGUMENT = PromptArgumentSpec(
    _SEED, "The episode's seed (an integer); default: drawn at random, and shown.", "integer"
)


class Prompts:
    """The prompts of one environment server."""

    def __init__(self, env_class: type[Environment], factory: Callable[[], Environment]) -> None:
        self.env_class, self.factory = env_class, factory
        self.tasks = env_class.tasks()
        self.arguments: dict[str, list[PromptArgumentSpec]] = {
            BRIEFING: [_SEED_ARGUMENT, *_option_arguments(env_class)],
            **{f"{TASK_PREFIX}{task}": [_SEED_ARGUMENT] for task in self.tasks},
        }
        self._limit = anyio.Semaphore(2)
        """Briefings being built at once: each resets an environment (a child process, for some)."""
        name = env_class.name
        self.listed = [
            _prompt(
                BRIEFING,
                f"The {name} briefing: the first observation of an episode.",
                self.arguments[BRIEFING],
            )
        ] + [
            _prompt(f"{TASK_PREFIX}{task}", f"The {name} task {task}: {title}.", [_SEED_ARGUMENT])
            for task, title in self.tasks.items()
        ]

    async def get(self, name: str, arguments: dict[str, str] | None, *, control: bool) -> GetPromptResult:
        """The prompt `name` with `arguments`; an unknown prompt or a bad argument is INVALID_PARAMS."""
        specs = self.arguments.get(name)
        if specs is None:
            raise MCPError(
                INVALID_PARAMS, f"unknown prompt {name!r}; the prompts are: {', '.join(self.arguments)}"
            )
        values = _parse(specs, arguments or {})
        seed = values.pop(_SEED, None)
        if name != BRIEFING:
            values["task"] = name.removeprefix(TASK_PREFIX)
        try:
            async with self._limit:
                first = await briefing(self.env_class, self.factory, seed, values or None)
        except OpenEnvError as exc:
            raise MCPError(INVALID_PARAMS, str(exc)) from None
        start = "reset" if control else "open_episode"
        call = json.dumps({"seed": first.seed, **({"options": values} if values else {})})
        text = (
            f"{observation_text(first.observation)}\n\n"
            f"(To play this {self.env_class.name} episode, call {start} with {call}.)"
        )
        message = PromptMessage(role="user", content=TextContent(type="text", text=text))
        return GetPromptResult(description=_description(self.listed, name), messages=[message])


def _parse(specs: list[PromptArgumentSpec], arguments: dict[str, str]) -> dict[str, Any]:
    known = {spec.name: spec for spec in specs}
    unknown = sorted(set(arguments) - set(known))
    if unknown:
        raise MCPError(
            INVALID_PARAMS, f"unknown prompt arguments {unknown}; it takes: {', '.join(known) or 'none'}"
        )
    values: dict[str, Any] = {}
    for name, text in arguments.items():
        try:
            values[name] = known[name].parse(text.strip())
        except ValueError as exc:
            raise MCPError(INVALID_PARAMS, f"bad prompt argument {name}: {exc}") from None
    seed = values.get(_SEED)
    if seed is not None and not 0 <= seed <= _MAX_SEED:
        raise MCPError(INVALID_PARAMS, f"the seed must be an integer from 0 to {_MAX_SEED}")
    return values


def _prompt(name: str, description: str, arguments: list[PromptArgumentSpec]) -> Prompt:
    listed = [PromptArgument(name=a.name, description=a.description, required=False) for a in arguments]
    return Prompt(name=name, description=description, arguments=listed)


def _description(prompts: list[Prompt], name: str) -> str | None:
    return next((p.description for p in prompts if p.name == name), None)
