"""A model's conversation with an environment, through our adapters: what an agent loop does each turn.

The environment's inner tools go to the model as OpenAI function tools; the model's
assistant message (OpenAI ``tool_calls``, or Hermes ``<tool_call>`` text) is read into an
action by the adapters (unreadable output is a `ParseError`, answered by the client with an
error observation); each result goes back as the matching tool message. `examples/agent_loop.py`
and ``openenv-mcp eval --model-url`` both talk to models through `Conversation`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from openenv_mcp.client import RemoteStepResult
from openenv_mcp.rewards.endpoint import ChatEndpoint
from openenv_mcp.spec import ToolDefinition
from openenv_mcp_adapters import Parsed, ParseError
from openenv_mcp_adapters.hermes import from_hermes_text, to_hermes_response
from openenv_mcp_adapters.openai import from_chat_message, openai_tools, to_chat_tool_message

__all__ = ["ChatModel", "Conversation", "EndpointModel", "Format", "parse", "reply"]

Format = Literal["openai", "hermes"]
ChatModel = Callable[
    [list[dict[str, Any]], list[dict[str, Any]]], "dict[str, Any] | Awaitable[dict[str, Any]]"
]
"""``model(messages, tools) -> assistant message`` (sync or async): an LLM, or a script standing in."""


def parse(message: dict[str, Any], fmt: Format, tools: list[ToolDefinition]) -> Parsed:
    """The first action of an assistant message (a real loop may take them all)."""
    if fmt == "hermes":
        return from_hermes_text(str(message.get("content") or ""), tools)[0]
    return from_chat_message(message, tools)[0]


def reply(result: RemoteStepResult, fmt: Format) -> dict[str, Any]:
    """The environment's answer as the next message of the conversation."""
    if fmt == "hermes":
        return {"role": "user", "content": to_hermes_response(result)}
    return to_chat_tool_message(result, result.tool_call_id)


@dataclass
class Conversation:
    """One episode's messages: the system prompt, the first observation, then turn after turn."""

    tools: list[ToolDefinition]
    fmt: Format = "openai"
    messages: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    rewards: list[float] = field(default_factory=list[float])
    parse_errors: int = 0
    done: bool = False

    @classmethod
    def start(
        cls, first: str, tools: list[ToolDefinition], fmt: Format = "openai", system: str | None = None
    ) -> Conversation:
        messages = [{"role": "system", "content": system}] if system else []
        return cls(tools, fmt, [*messages, {"role": "user", "content": first}])

    @property
    def ret(self) -> float:
        return sum(self.rewards)

    async def act(self, model: ChatModel) -> Parsed:
        """Ask `model` for the next message, keep it, and read its action."""
        answer = model(self.messages, openai_tools(self.tools))
        message: dict[str, Any] = await answer if inspect.isawaitable(answer) else answer
        self.messages.append(message)
        action = parse(message, self.fmt, self.tools)
        self.parse_errors += isinstance(action, ParseError)
        return action

    def observe(self, result: RemoteStepResult) -> None:
        """Keep the environment's answer to the last action."""
        self.messages.append(reply(result, self.fmt))
        self.rewards.append(result.reward)
        self.done = result.done


class EndpointModel:
    """A model behind an OpenAI-compatible chat endpoint, as a `ChatModel` (tools sent with each turn)."""

    def __init__(self, endpoint: ChatEndpoint, **sampling: Any) -> None:
        self.endpoint, self.sampling = endpoint, sampling

    async def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        return await self.endpoint.acomplete(messages, tools=tools or None, **self.sampling)
