"""A local OpenAI-compatible chat endpoint on 127.0.0.1 (a real HTTP server in a thread) with fixed answers.

`answer(body) -> (status, text)` decides each reply from the request's JSON body; the
server records every body it got. Port 0: the kernel picks a free port.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Generator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeEndpoint", "chat_reply", "serve_fake"]

Answer = Callable[[dict[str, Any]], tuple[int, str]]


def chat_reply(content: str | None, tool_calls: list[dict[str, Any]] | None = None) -> tuple[int, str]:
    """A 200 chat completion whose one choice says `content` (and calls `tool_calls`)."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    body = {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": message}]}
    return 200, json.dumps(body)


class FakeEndpoint:
    """The running server: its base URL and the request bodies it got."""

    def __init__(self, server: ThreadingHTTPServer) -> None:
        self.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
        self.bodies: list[dict[str, Any]] = []


@contextmanager
def serve_fake(answer: Answer) -> Generator[FakeEndpoint]:
    """Serve `answer` at ``http://127.0.0.1:PORT/v1/chat/completions`` until the block ends."""
    endpoint: list[FakeEndpoint] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            endpoint[0].bodies.append(body)
            status, text = answer(body) if self.path.endswith("/chat/completions") else (404, "no route")
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read the bodies instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.append(FakeEndpoint(server))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield endpoint[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
