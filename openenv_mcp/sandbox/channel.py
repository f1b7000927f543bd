"""The host end of the worker's channel: newline-delimited JSON over two pipes."""

from __future__ import annotations

import json
import os
from typing import Any

import anyio

from openenv_mcp.errors import SandboxError

__all__ = ["Channel", "ChannelClosedError"]


class ChannelClosedError(SandboxError):
    """The worker's end of the channel is gone, or it sent something unreadable."""


class Channel:
    """Non-blocking, bounded message I/O with one worker.

    Args:
        read_fd: the pipe end the worker writes to.
        write_fd: the pipe end the worker reads from.
        max_message: longest line accepted from the worker, in bytes.
    """

    def __init__(self, read_fd: int, write_fd: int, max_message: int) -> None:
        self._read_fd, self._write_fd, self._max = read_fd, write_fd, max_message
        self._buffer = bytearray()
        self._closed = False
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)

    async def send(self, message: dict[str, Any]) -> None:
        """Write one message, waiting while the pipe is full."""
        view = memoryview(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        while view:
            self._check_open()
            try:
                view = view[os.write(self._write_fd, view) :]
            except BlockingIOError:
                await anyio.wait_writable(self._write_fd)
            except (BrokenPipeError, OSError) as exc:
                raise ChannelClosedError(f"the worker's channel is closed: {exc}") from None

    async def receive(self) -> dict[str, Any]:
        """Read one message; raise `ChannelClosedError` on EOF, overflow or bad JSON."""
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > self._max:
                raise ChannelClosedError(f"the worker sent a message over {self._max} bytes")
            self._check_open()
            try:
                chunk = os.read(self._read_fd, 1 << 16)
            except BlockingIOError:
                await anyio.wait_readable(self._read_fd)
                continue
            if not chunk:
                raise ChannelClosedError("the worker closed its channel")
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        try:
            message = json.loads(line)
        except ValueError:
            raise ChannelClosedError("the worker sent a message that is not JSON") from None
        if not isinstance(message, dict):
            raise ChannelClosedError("the worker sent a message that is not an object")
        return message  # type: ignore[return-value]

    def close(self) -> None:
        """Close both pipe ends; idempotent."""
        if not self._closed:
            self._closed = True
            for fd in (self._read_fd, self._write_fd):
                os.close(fd)

    def _check_open(self) -> None:
        if self._closed:
            raise ChannelClosedError("the channel is closed")
