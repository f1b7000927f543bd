"""Reading tool results in tests: the text, the structured content, the step entry, the error kind.

>>> from mcp.types import CallToolResult, TextContent
>>> hi = [TextContent(type="text", text="hi")]
>>> result = CallToolResult(content=hi, _meta={META_STEP: {"step_count": 1}})
>>> text(result), step_meta(result)["step_count"], error_kind(result)
('hi', 1, 'error')
"""

from __future__ import annotations

from typing import Any

from mcp.types import CallToolResult, TextContent

from openenv_mcp.client.results import error_kind
from openenv_mcp.spec.wire import META_STEP

__all__ = ["META_STEP", "episode_id", "error_kind", "step_meta", "structured", "text"]


def text(result: CallToolResult) -> str:
    """The text of a result's first content block."""
    block = result.content[0]
    if not isinstance(block, TextContent):
        raise AssertionError(f"the first content block is {block.type}, not text")
    return block.text


def structured(result: CallToolResult) -> dict[str, Any]:
    """The structured content of a result (it must have some)."""
    if result.structured_content is None:
        raise AssertionError(f"the result has no structured content: {result.content}")
    return dict(result.structured_content)


def step_meta(result: CallToolResult) -> dict[str, Any]:
    """The step entry an inner tool's result carries in `_meta` (episode, step count, reward...)."""
    entry: Any = (result.meta or {}).get(META_STEP)
    if not isinstance(entry, dict):
        raise AssertionError(f"the result carries no step entry in _meta: {result.meta}")
    return dict(entry)  # pyright: ignore[reportUnknownArgumentType]


def episode_id(result: CallToolResult) -> str:
    """The handle a `reset` or `open_episode` result returned."""
    return str(structured(result)["episode_id"])
