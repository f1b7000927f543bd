"""A tiny MCP server the proxy tests start as a child: it echoes, reads its environment, and misbehaves.

Run as `python toy_server.py`; it speaks MCP over stdio. With $TOY_LISTING_SECRET set, it also
lists `leaky`, whose name, title, description and schemas carry that value, and `leak_redacted`.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, quote_plus

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

__all__ = ["FORMS", "app"]

app = MCPServer("toy")

FORMS: dict[str, Callable[[str], str]] = {
    "raw": lambda v: v,
    "json": lambda v: json.dumps({"value": v}),
    "json_ascii": lambda v: json.dumps({"value": v}, ensure_ascii=False),
    "url": lambda v: f"https://example.test/?token={quote_plus(v)}&page=2",
    "url_path": lambda v: f"https://example.test/{quote(v, safe='')}/page",
    "base64": lambda v: base64.b64encode(v.encode()).decode(),
    "base64url": lambda v: base64.urlsafe_b64encode(v.encode()).decode().rstrip("="),
    "hex": lambda v: v.encode().hex(),
}
"""How `encoded` prints a value."""


@app.tool()
def echo(message: str) -> str:
    """Echo the message back."""
    return message


@app.tool()
def env_value(name: str) -> str:
    """The value of one of this process's environment variables ("" when unset)."""
    return os.environ.get(name, "")


@app.tool()
def encoded(
    name: str, form: str, prefix: str = "", suffix: str = "", line: int | None = None, fail: bool = False
) -> str:
    """An environment variable (or one of its lines), between `prefix` and `suffix`, in a form of FORMS.

    The prefix and suffix are inside the encoding: base64 of a longer text, the value at any offset.
    With `fail`, the answer is an error that says it.
    """
    value = os.environ.get(name, "")
    if line is not None:
        value = value.splitlines()[line]
    said = FORMS[form](prefix + value + suffix)
    if fail:
        raise ToolError(f"refused: {said}")
    return said


@app.tool()
def crash() -> str:
    """Exit the process at once, without answering."""
    os._exit(3)


@app.tool()
async def sleep(seconds: float) -> str:
    """Sleep, then answer."""
    await anyio.sleep(seconds)
    return f"slept {seconds:g} s"


@app.tool()
def garbage() -> str:
    """Write a line that is not JSON to stdout, then never answer."""
    os.write(1, f"this is not JSON-RPC {os.environ.get('TOY_SECRET', '')}\n".encode())
    os.write(1, b'{"jsonrpc": "2.0", "id": "nobody", "result": 1}\n')
    return "never seen"


@app.tool()
def pid() -> int:
    """This process's id."""
    return os.getpid()


LISTING_SECRET = os.environ.get("TOY_LISTING_SECRET", "")
_LIKE_THE_SECRET = Field(
    description=f"a token like {LISTING_SECRET}", json_schema_extra={"enum": [LISTING_SECRET, "plain"]}
)


class Leaked(BaseModel):
    value: str = Field(description=f"what {LISTING_SECRET} said")


def leaky(token: Annotated[str, _LIKE_THE_SECRET] = LISTING_SECRET) -> Leaked:
    """Listed with the secret in its name, title, description, argument and output schema."""
    return Leaked(value=f"leaky got {'the secret' if token == LISTING_SECRET else token}")


def leak_redacted() -> str:
    """A tool really named what masking makes of `leaky`'s name."""
    return "the real leak_redacted"


if LISTING_SECRET:
    app.add_tool(
        leaky,
        name=f"leak_{LISTING_SECRET}",
        title=f"Leaks {LISTING_SECRET}",
        description=f"Knows {LISTING_SECRET}.",
    )
    app.add_tool(leak_redacted)

if __name__ == "__main__":
    app.run()
