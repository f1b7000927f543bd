"""The policies a validation plays, and one played episode's record.

- the **oracle**: the environment's own `oracle_action()` hook, privileged (it may read the
  secret), returning the next action or None when it is done;
- **no-op**: the plainest call of the first read-only tool (or of the first tool) every step;
- **random**: a tool at random each step, with arguments drawn from its schema's simplest
  choices (`plain_arguments`) or nothing.

Optional hooks an environment may define for the semantic checks (none is required):
`oracle_action(self) -> Action | None`, `reward_range(self) -> tuple[float, float] | None`
(an episode's total reward, after reset; None: unbounded), and `hidden_answers(self) ->
list[str]` (what no observation may show before the episode ends).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from openenv_mcp.conformance import plain_arguments
from openenv_mcp.environment import Environment
from openenv_mcp.spec import CodeAction, StepResult, ToolCallAction
from openenv_mcp.spec.wire import observation_text

__all__ = [
    "Played",
    "Policy",
    "hook",
    "noop_policy",
    "oracle_policy",
    "play",
    "random_arguments",
    "random_policy",
]

Action = ToolCallAction | CodeAction
Policy = Callable[[Environment, int], Action | None]
"""`policy(env, step) -> the next action, or None to stop`."""


@dataclass
class Played:
    """One episode as a policy played it."""

    first: str
    results: list[StepResult] = field(default_factory=list[StepResult])
    actions: list[Action] = field(default_factory=list[Action])
    reward_range: tuple[float, float] | None = None
    hidden: list[str] = field(default_factory=list[str])

    @property
    def total(self) -> float:
        return sum(result.reward for result in self.results)

    @property
    def ended(self) -> bool:
        return bool(self.results) and (self.results[-1].terminated or self.results[-1].truncated)

    def seen_before_the_end(self) -> list[str]:
        """What the agent read while the episode ran: the briefing and every observation but the last."""
        texts = [self.first, *(observation_text(r.observation) for r in self.results)]
        return texts[:-1] if self.ended else texts

    def fingerprint(self) -> list[tuple[Any, ...]]:
        return [(observation_text(r.observation), r.reward, r.terminated, r.truncated) for r in self.results]


def hook(env: Environment, name: str) -> Callable[..., Any] | None:
    """The environment's optional validation hook `name`, or None."""
    found = getattr(env, name, None)
    return cast(Callable[..., Any], found) if callable(found) else None


async def play(
    env: Environment, policy: Policy, *, seed: int, options: dict[str, Any] | None, max_steps: int
) -> Played:
    """Reset `env` with `seed` and `options`, then step it with `policy` until it ends or stops."""
    first = await env.reset(seed=seed, options=options)
    ranges, answers = hook(env, "reward_range"), hook(env, "hidden_answers")
    played = Played(
        first=observation_text(first.observation),
        reward_range=ranges() if ranges is not None else None,
        hidden=[str(a) for a in answers()] if answers is not None else [],
    )
    for step in range(max_steps):
        action = policy(env, step)
        if action is None:
            break
        result = await env.step(action)
        played.actions.append(action)
        played.results.append(result)
        if result.terminated or result.truncated:
            break
    return played


def oracle_policy(env: Environment, step: int) -> Action | None:
    oracle = hook(env, "oracle_action")
    return cast("Action | None", oracle()) if oracle is not None else None


def noop_policy(env: Environment, step: int) -> Action | None:
    definitions = env.definitions()
    if not definitions:
        return None
    quiet = [d for d in definitions if d.annotations.read_only] or definitions
    return ToolCallAction(tool_name=quiet[0].name, parameters=plain_arguments(quiet[0].input_schema))


def random_policy(seed: int) -> Policy:
    """A policy that calls a tool at random with random valid-looking arguments (its own generator)."""
    rng = random.Random(seed)

    def choose(env: Environment, step: int) -> Action | None:
        definitions = env.definitions()
        if not definitions:
            return None
        chosen = rng.choice(definitions)
        return ToolCallAction(tool_name=chosen.name, parameters=random_arguments(chosen.input_schema, rng))

    return choose


def random_arguments(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The required arguments, drawn at random: an enum's choice, an integer within its bounds.

    >>> random_arguments({"properties": {"n": {"type": "integer", "minimum": 2, "maximum": 2}},
    ...                   "required": ["n"]}, random.Random(0))
    {'n': 2}
    """
    arguments = plain_arguments(schema)
    properties: dict[str, Any] = schema.get("properties") or {}
    for name in arguments:
        spec: dict[str, Any] = properties.get(name) or {}
        if "enum" in spec:
            arguments[name] = rng.choice(spec["enum"])
        elif spec.get("type") == "integer":
            low, high = spec.get("minimum", 0), spec.get("maximum", 10)
            arguments[name] = rng.randint(int(low), int(high))
        elif spec.get("type") == "string":
            arguments[name] = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(5))
    return arguments
