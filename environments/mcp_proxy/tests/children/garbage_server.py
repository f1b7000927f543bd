"""A broken MCP server for the proxy tests: it lists one tool, then answers calls with garbage.

It speaks just enough JSON-RPC by hand to get through the handshake, because a real SDK
server cannot be made to write a malformed line on its protocol stream.
"""

from __future__ import annotations

import json
import sys
from typing import Any

__all__ = ["answer"]

_TOOL = {"name": "mumble", "description": "Answer with garbage.", "inputSchema": {"type": "object"}}


def answer(request: dict[str, Any]) -> list[str]:
    """The lines to write for one request (none for a notification)."""
    method, ident = request.get("method"), request.get("id")
    if ident is None:
        return []
    if method == "initialize":
        result: Any = {
            "protocolVersion": request["params"]["protocolVersion"],
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "garbage", "version": "0"},
        }
    elif method == "tools/list":
        result = {"tools": [_TOOL]}
    elif method == "tools/call":
        return ["this line is not JSON at all", json.dumps({"jsonrpc": "2.0", "id": ident, "result": 42})]
    else:
        error = {"code": -32601, "message": f"method not found: {method}"}
        return [json.dumps({"jsonrpc": "2.0", "id": ident, "error": error})]
    return [json.dumps({"jsonrpc": "2.0", "id": ident, "result": result})]


def main() -> None:
    for line in sys.stdin:
        for out in answer(json.loads(line)):
            sys.stdout.write(out + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
