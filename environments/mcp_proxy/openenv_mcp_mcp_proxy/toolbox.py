"""The default child of `mcp_proxy`: a small stdio MCP server that ships with the package.

Run as `python toolbox.py` (by path, so that it needs nothing beside the `mcp` SDK); it speaks
MCP over stdio. Its tools answer from the process's own memory: no network, no files, no
environment variables, no subprocesses, and bounded output, so the agent reaches nothing of
the host through them. A child per episode means a fresh notebook per episode.

>>> counts("two words\\nand more")
TextCounts(words=4, lines=2, characters=18)
"""

from __future__ import annotations

from typing import Annotated

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

__all__ = ["MAX_NOTE", "MAX_NOTES", "TOOLS", "TextCounts", "app", "counts"]

MAX_NOTES = 100
MAX_NOTE = 10_000
"""Characters a note may hold; with `MAX_NOTES`, the notebook stays near a megabyte at most."""

TOOLS = ("echo", "add", "count_words", "remember", "recall", "list_notes")
"""Every tool the toolbox lists, in order."""

app = MCPServer("toolbox", instructions="Small tools that answer from memory; notes last one episode.")
_notes: dict[str, str] = {}
_READ = ToolAnnotations(read_only_hint=True, open_world_hint=False)
_WRITE = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
Key = Annotated[str, Field(min_length=1, max_length=100, description="The note's name.")]


class TextCounts(BaseModel):
    """How long a text is."""

    words: int
    lines: int
    characters: int


def counts(text: str) -> TextCounts:
    return TextCounts(words=len(text.split()), lines=len(text.splitlines()), characters=len(text))


@app.tool(annotations=_READ)
def echo(message: Annotated[str, Field(max_length=MAX_NOTE)]) -> str:
    """Echo the message back."""
    return message


@app.tool(annotations=_READ)
def add(a: float, b: float) -> float:
    """The sum of two numbers."""
    return a + b


@app.tool(annotations=_READ)
def count_words(text: Annotated[str, Field(max_length=100_000)]) -> TextCounts:
    """Count the words, lines and characters of a text."""
    return counts(text)


@app.tool(annotations=_WRITE)
def remember(key: Key, value: Annotated[str, Field(max_length=MAX_NOTE)]) -> str:
    """Keep a note under a name for the rest of the episode (a note of the same name is replaced)."""
    if key not in _notes and len(_notes) >= MAX_NOTES:
        raise ToolError(f"the notebook is full ({MAX_NOTES} notes): replace one of {sorted(_notes)}")
    _notes[key] = value
    return f"remembered {key!r} ({len(value)} characters)"


@app.tool(annotations=_READ)
def recall(key: Key) -> str:
    """A note kept with `remember`."""
    if key not in _notes:
        kept = ", ".join(map(repr, sorted(_notes))) or "none yet"
        raise ToolError(f"no note named {key!r}; the notes are: {kept}")
    return _notes[key]


@app.tool(annotations=_READ)
def list_notes() -> list[str]:
    """The names of the notes kept so far, sorted."""
    return sorted(_notes)


if __name__ == "__main__":
    app.run()
