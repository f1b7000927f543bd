"""Adapters onto the unified action schema (RFC 004): MCP, OpenAI, Anthropic, Hermes, code, OpenEnv.

Each adapter reads a provider's tool-call shape into a `ToolCallAction` (or model text into
a `CodeAction`) and renders a `StepResult` back as that provider's tool-result message.
Model output that is not an action comes back as a `ParseError` value, never an exception.
The Gymnasium wrapper lives in `openenv_mcp_adapters.gym` and is imported on its own.
"""

from openenv_mcp_adapters.anthropic import anthropic_tools, from_content, from_tool_use, to_tool_result
from openenv_mcp_adapters.code import from_code_block
from openenv_mcp_adapters.errors import Parsed, ParseError
from openenv_mcp_adapters.hermes import from_hermes_text, to_hermes_call, to_hermes_response
from openenv_mcp_adapters.mcp_calls import action_from_mcp, action_to_mcp
from openenv_mcp_adapters.openai import (
    from_chat_message,
    from_chat_tool_call,
    from_responses_item,
    from_responses_output,
    openai_tools,
    to_chat_tool_message,
    to_responses_output,
)
from openenv_mcp_adapters.openenv import from_openenv, to_openenv
from openenv_mcp_adapters.results import result_text
from openenv_mcp_adapters.text import parse_action, parse_text

__all__ = [
    "ParseError",
    "Parsed",
    "action_from_mcp",
    "action_to_mcp",
    "anthropic_tools",
    "from_chat_message",
    "from_chat_tool_call",
    "from_code_block",
    "from_content",
    "from_hermes_text",
    "from_openenv",
    "from_responses_item",
    "from_responses_output",
    "from_tool_use",
    "openai_tools",
    "parse_action",
    "parse_text",
    "result_text",
    "to_chat_tool_message",
    "to_hermes_call",
    "to_hermes_response",
    "to_openenv",
    "to_responses_output",
    "to_tool_result",
]
