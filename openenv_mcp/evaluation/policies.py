"""Who plays an evaluated episode: the oracle, a random policy, a Python callable, or a model.

A `Player` plays one episode: ``await player.act(last)`` gets the last result (the reset's
first) and answers what `EnvClient.step` takes (an action, a JSON action, model text or a
`ParseError`), or None to stop. A `PolicyFactory` makes one player per episode.

``MODULE:CALLABLE`` names a function ``policy(last: RemoteStepResult, tools:
list[ToolDefinition]) -> action | None`` (sync or async), or a class instantiated once per
episode whose instances are such functions.
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

from openenv_mcp.client import ActionLike, EnvClient, RemoteStepResult
from openenv_mcp.evaluation.chat import ChatModel, Conversation, Format
from openenv_mcp.evaluation.errors import EvaluationError
from openenv_mcp.loading import load_callable
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction, ToolDefinition
from openenv_mcp.validation.policies import oracle_policy, random_arguments

__all__ = [
    "Player",
    "PolicyFactory",
    "Seat",
    "callable_policy",
    "load_policy",
    "model_policy",
    "oracle",
    "random_policy",
]


@dataclass(frozen=True)
class Seat:
    """What a player knows of its episode: the client, the tools, the seed, the server if in-process."""

    client: EnvClient
    tools: list[ToolDefinition]
    seed: int
    server: EnvServer | None = None


class Player(Protocol):
    async def act(self, last: RemoteStepResult) -> ActionLike | None: ...


PolicyFactory = Callable[[Seat], Player]


class _Oracle:
    def __init__(self, seat: Seat) -> None:
        if seat.server is None or seat.client.episode_id is None:
            raise EvaluationError(
                "the oracle reads the environment's privileged state: it runs in-process only"
            )
        self.env = seat.server.registry.get(seat.client.episode_id).env
        self.step = 0

    async def act(self, last: RemoteStepResult) -> ActionLike | None:
        if not callable(getattr(self.env, "oracle_action", None)):
            raise EvaluationError(f"environment {self.env.name!r} ships no oracle (an oracle_action hook)")
        self.step += 1
        return oracle_policy(self.env, self.step - 1)


def oracle(seat: Seat) -> Player:
    """The environment's `oracle_action` hook, read on the served episode (in-process only)."""
    return _Oracle(seat)


class _Random:
    def __init__(self, seat: Seat) -> None:
        self.tools, self.rng = seat.tools, random.Random(seat.seed)

    async def act(self, last: RemoteStepResult) -> ActionLike | None:
        if not self.tools:
            return None
        chosen = self.rng.choice(self.tools)
        return ToolCallAction(
            tool_name=chosen.name, parameters=random_arguments(chosen.input_schema, self.rng)
        )


def random_policy(seat: Seat) -> Player:
    """A tool at random each step, arguments drawn from its schema (seeded by the episode's seed)."""
    return _Random(seat)


class _Calling:
    def __init__(self, func: Callable[..., Any], tools: list[ToolDefinition]) -> None:
        self.func, self.tools = func, tools

    async def act(self, last: RemoteStepResult) -> ActionLike | None:
        answer = self.func(last, self.tools)
        return cast("ActionLike | None", await answer if inspect.isawaitable(answer) else answer)


def callable_policy(target: Callable[..., Any]) -> PolicyFactory:
    """A function's policy; a class is instantiated for each episode."""

    def make(seat: Seat) -> Player:
        func: Callable[..., Any] = cast(Callable[..., Any], target()) if inspect.isclass(target) else target
        return _Calling(func, seat.tools)

    return make


class _Chatting:
    def __init__(self, model: ChatModel, seat: Seat, fmt: Format, system: str | None) -> None:
        self.model, self.seat, self.system = model, seat, system
        self.fmt: Format = fmt
        self.conversation: Conversation | None = None

    async def act(self, last: RemoteStepResult) -> ActionLike | None:
        if self.conversation is None:
            self.conversation = Conversation.start(last.observation, self.seat.tools, self.fmt, self.system)
        else:
            self.conversation.observe(last)
        return await self.conversation.act(self.model)


def model_policy(model: ChatModel, *, fmt: Format = "openai", system: str | None = None) -> PolicyFactory:
    """A chat model playing through our adapters (the agent loop's path)."""
    return lambda seat: _Chatting(model, seat, fmt, system)


def load_policy(name: str) -> PolicyFactory:
    """``oracle``, ``random``, or ``MODULE:CALLABLE``; anything else is a clear error."""
    if name == "oracle":
        return oracle
    if name == "random":
        return random_policy
    module_name, _, attribute = name.partition(":")
    if not module_name or not attribute:
        raise EvaluationError(f"unknown policy {name!r}: use oracle, random or MODULE:CALLABLE")
    return callable_policy(load_callable(name, what=f"policy {name!r}", error=EvaluationError))
