"""A smoke check of a deployed openenv-mcp: a real MCP client lists the tools and plays a little.

    OPENENV_MCP_TOKEN=... python deploy/mcp_smoke.py https://mcp.example.org/envs/echo/mcp
    python deploy/mcp_smoke.py URL --era legacy --episodes 2 --host-header mcp.example.org

It speaks either protocol era (`--era legacy`: the 2025-11-25 handshake with a session, as
Claude Desktop does; `--era 2026-07-28`: stateless), sends the bearer token from
$OPENENV_MCP_TOKEN, lists the tools with their roles, opens `--episodes` episodes
(`open_episode` in production, `reset` in training), makes one inner call in the first
(`--tool`, `--args`), and closes them. Each result is a line of JSON; a refused call (a quota,
capacity) is printed with its text and does not stop the run. Exit status 0 when the listing
worked. Needs only the `mcp` package (what openenv-mcp installs).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, cast

import anyio
import httpx2
import mcp
from mcp.client.client import ConnectMode
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent


def _text(result: CallToolResult) -> str:
    return " ".join(block.text for block in result.content if isinstance(block, TextContent))


def _say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


def _http_client(args: argparse.Namespace) -> httpx2.AsyncClient:
    headers: dict[str, str] = {}
    token = os.environ.get("OPENENV_MCP_TOKEN", "")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if args.host_header:
        headers["Host"] = args.host_header
    for header in args.header:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    transport = httpx2.AsyncHTTPTransport(local_address=args.source_address) if args.source_address else None
    return httpx2.AsyncClient(headers=headers, transport=transport, timeout=30)


async def _run(args: argparse.Namespace) -> int:
    era: ConnectMode = args.era
    target = streamable_http_client(args.url, http_client=_http_client(args))
    async with mcp.Client(target, mode=era) as client:
        listed = (await client.list_tools()).tools
        roles = {tool.name: (tool.meta or {}).get("openenv-mcp/role", "?") for tool in listed}
        _say(era=era, protocol=client.protocol_version, tools=roles)
        opener = "open_episode" if "open_episode" in roles else "reset"
        closer = "close_episode" if opener == "open_episode" else "close"
        episodes: list[str] = []
        for seed in range(args.episodes):
            opened = await client.call_tool(opener, {"seed": seed})
            data: dict[str, Any] = opened.structured_content or {}
            if opened.is_error or "episode_id" not in data:
                _say(call=opener, error=True, text=_text(opened))
                continue
            episodes.append(str(data["episode_id"]))
            _say(call=opener, episode_id=episodes[-1])
        if episodes and args.tool:
            called = await client.call_tool(args.tool, {**json.loads(args.args), "episode_id": episodes[0]})
            _say(call=args.tool, error=bool(called.is_error), text=_text(called)[:500])
        for episode in episodes:
            closed = await client.call_tool(closer, {"episode_id": episode})
            _say(call=closer, episode_id=episode, error=bool(closed.is_error))
    return 0


def _leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside (nested) exception groups, which is where a task group puts them."""
    if isinstance(exc, BaseExceptionGroup):
        inner = cast("BaseExceptionGroup[BaseException]", exc).exceptions
        return [leaf for each in inner for leaf in _leaves(each)]
    return [exc]


def main() -> int:
    parser = argparse.ArgumentParser(description="A smoke check of a deployed openenv-mcp over MCP.")
    parser.add_argument("url", help="an environment's MCP endpoint, e.g. http://127.0.0.1:8000/envs/echo/mcp")
    parser.add_argument("--era", choices=["legacy", "2026-07-28"], default="2026-07-28")
    parser.add_argument("--episodes", type=int, default=1, help="episodes to open (0: only list the tools)")
    parser.add_argument("--tool", default="echo", help="the inner tool to call in the first episode")
    parser.add_argument("--args", default='{"message": "hello"}', help="its arguments, as JSON")
    parser.add_argument("--host-header", help="the Host header to send (a name the server allows)")
    parser.add_argument(
        "--header", action="append", default=[], metavar="NAME:VALUE", help="another header (repeatable)"
    )
    parser.add_argument("--source-address", help="the local address to connect from (e.g. 127.0.0.2)")
    args = parser.parse_args()
    try:
        return anyio.run(_run, args)
    except Exception as exc:  # a smoke check: say what failed, in one line each
        for leaf in _leaves(exc):
            print(f"mcp_smoke: {type(leaf).__name__}: {leaf}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
