"""A model's reply as actions plus what a trainer keeps of it: the message, token ids, logprobs.

An OpenAI-compatible chat completion choice carries logprobs in ``choice["logprobs"]["content"]``
when asked for them, and token ids where the server returns them (vLLM's ``token_ids``); both
pass through to the trajectory (`EnvClient.record_model`) untouched.

>>> out = from_chat_choice({"message": {"role": "assistant", "content": "hi"},
...                         "logprobs": {"content": [{"token": "hi", "logprob": -0.5}]}, "token_ids": [7]})
>>> out.token_ids, out.logprobs, type(out.actions[0]).__name__
([7], [-0.5], 'ParseError')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openenv_mcp.spec import CodeAction, ToolCallAction
from openenv_mcp_adapters.errors import ParseError, ToolNames, as_list, as_object
from openenv_mcp_adapters.openai import from_chat_message
from openenv_mcp_adapters.text import parse_text

__all__ = ["ModelOutput", "from_chat_choice"]


@dataclass(frozen=True)
class ModelOutput:
    """The actions read from one model reply, and the reply as a trainer records it."""

    actions: list[ToolCallAction | CodeAction | ParseError]
    message: dict[str, Any]
    token_ids: list[int] | None = None
    logprobs: list[float] | None = None


def from_chat_choice(choice: Mapping[str, Any], tools: ToolNames = None) -> ModelOutput:
    """A chat completion choice: its tool calls (or the actions in its text), tokens and logprobs."""
    message = as_object(choice.get("message")) or {}
    actions: list[ToolCallAction | CodeAction | ParseError]
    if as_list(message.get("tool_calls")):
        actions = list(from_chat_message(message, tools))
    else:
        actions = [parse_text(str(message.get("content") or ""), tools)]
    return ModelOutput(actions, dict(message), _token_ids(choice, message), _logprobs(choice))


def _token_ids(choice: Mapping[str, Any], message: Mapping[str, Any]) -> list[int] | None:
    found = choice.get("token_ids", message.get("token_ids"))
    ids = as_list(found)
    return [int(t) for t in ids if isinstance(t, int)] if ids else None


def _logprobs(choice: Mapping[str, Any]) -> list[float] | None:
    content = as_list((as_object(choice.get("logprobs")) or {}).get("content"))
    values = [entry.get("logprob") for item in content if (entry := as_object(item)) is not None]
    floats = [float(v) for v in values if isinstance(v, int | float)]
    return floats or None
