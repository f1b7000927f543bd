"""The host end of the worker's channel: newline-delimited JSON over two pipes.

Everything read here is hostile input: the code runs in the worker's process and can write
anything to the worker's end. A line is refused as soon as it passes the maximum, before it is
held whole, and a long line is parsed in a worker thread by a decoder that gives up after
`MAX_VALUES` values and lets the event loop run while it works (the C decoder holds the GIL for
the whole document: 5.5 MiB of ``[[],[],...]`` stopped the event loop for 0.8 s).
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import os
import time
from collections.abc import Callable
from typing import Any

import anyio
import anyio.to_thread

from openenv_mcp.errors import SandboxError

__all__ = ["MAX_VALUES", "Channel", "ChannelClosedError", "MalformedMessageError"]

MAX_VALUES = 100_000
"""Most JSON values (scalars, strings, arrays, objects) one message may hold."""

_CHUNK = 1 << 16
_INLINE = 16 * 1024
"""Lines up to this length are parsed on the event loop: well under a millisecond at worst."""
_YIELD_EVERY = 512
"""Values the bounded decoder parses between offers of the GIL (about a third of a millisecond)."""


class ChannelClosedError(SandboxError):
    """The worker's end of the channel is gone, or it sent something unreadable."""


class MalformedMessageError(ChannelClosedError):
    """The worker sent something it never sends: too long, not JSON, or not a message.

    >>> str(MalformedMessageError("a line that is not JSON"))
    'the sandbox sent a malformed message (a line that is not JSON)'
    """

    def __init__(self, problem: str) -> None:
        super().__init__(f"the sandbox sent a malformed message ({problem})")


class Channel:
    """Non-blocking, bounded message I/O with one worker.

    Args:
        read_fd: the pipe end the worker writes to.
        write_fd: the pipe end the worker reads from.
        max_message: longest line accepted from the worker, in bytes, newline excluded.
    """

    def __init__(self, read_fd: int, write_fd: int, max_message: int) -> None:
        self._read_fd, self._write_fd, self.max_message = read_fd, write_fd, max_message
        self._buffer = bytearray()
        self._closed = False
        self.peak = 0
        """The most bytes ever held unparsed: never over ``max_message + 1``."""
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
        """Read one message: a JSON object.

        Raises:
            ChannelClosedError: the worker closed its end.
            MalformedMessageError: the line is too long, is not JSON, or is not an object.
        """
        line = await self._read_line()
        if len(line) <= _INLINE:
            message = _decode(line)
        else:
            message = await anyio.to_thread.run_sync(_decode_bounded, line, abandon_on_cancel=True)
        if not isinstance(message, dict):
            raise MalformedMessageError(f"JSON that is a {type(message).__name__}, not an object")
        return message  # pyright: ignore[reportUnknownVariableType]

    def close(self) -> None:
        """Close both pipe ends; idempotent."""
        if not self._closed:
            self._closed = True
            for fd in (self._read_fd, self._write_fd):
                os.close(fd)

    async def _read_line(self) -> bytes:
        searched = 0
        while (end := self._buffer.find(b"\n", searched)) < 0:
            searched = len(self._buffer)
            room = self.max_message + 1 - searched
            if room <= 0:
                raise MalformedMessageError(f"a line over {self.max_message:,} bytes")
            self._check_open()
            try:
                chunk = os.read(self._read_fd, min(room, _CHUNK))
            except BlockingIOError:
                await anyio.wait_readable(self._read_fd)
                continue
            except OSError as exc:
                raise ChannelClosedError(f"the worker's channel is closed: {exc}") from None
            if not chunk:
                raise ChannelClosedError("the worker closed its channel")
            self._buffer += chunk
            self.peak = max(self.peak, len(self._buffer))
        line = bytes(self._buffer[:end])
        del self._buffer[: end + 1]
        return line

    def _check_open(self) -> None:
        if self._closed:
            raise ChannelClosedError("the channel is closed")


class _TooManyValuesError(Exception):
    pass


def _decode(line: bytes) -> object:
    try:
        return json.loads(line)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise MalformedMessageError("a line that is not JSON") from None


def _decode_bounded(line: bytes) -> object:
    """Parse `line` in Python, strings in C, counting values; run it in a worker thread."""
    try:
        return _BoundedDecoder(MAX_VALUES).decode(line.decode())
    except _TooManyValuesError:
        raise MalformedMessageError(f"over {MAX_VALUES:,} JSON values") from None
    except (ValueError, RecursionError):
        raise MalformedMessageError("a line that is not JSON") from None


_Scan = Callable[[str, int], tuple[Any, int]]
# Not in the stubs, but the pure-Python decoder has had this shape since Python 2.7.
_array: Callable[..., tuple[Any, int]] = vars(json.decoder)["JSONArray"]
_object: Callable[..., tuple[Any, int]] = vars(json.decoder)["JSONObject"]
_py_make_scanner: Callable[[json.JSONDecoder], _Scan] = vars(json.scanner)["py_make_scanner"]


class _BoundedDecoder(json.JSONDecoder):
    """The standard decoder, stopped after `max_values` values.

    Containers are parsed in Python, which lets other threads run between values; strings and
    numbers still in C, each one a short call.
    """

    def __init__(self, max_values: int) -> None:
        super().__init__()
        self._left = max_values
        self.parse_array = self._parse_array
        self.parse_object = self._parse_object
        self.scan_once = _py_make_scanner(self)

    def _parse_array(self, s_and_end: tuple[str, int], scan_once: _Scan) -> tuple[Any, int]:
        return _array(s_and_end, self._counted(scan_once))

    def _parse_object(
        self, s_and_end: tuple[str, int], strict: bool, scan_once: _Scan, *rest: Any
    ) -> tuple[Any, int]:
        return _object(s_and_end, strict, self._counted(scan_once), *rest)

    def _counted(self, scan_once: _Scan) -> _Scan:
        def scan(text: str, index: int) -> tuple[Any, int]:
            self._left -= 1
            if self._left < 0:
                raise _TooManyValuesError
            if not self._left % _YIELD_EVERY:
                time.sleep(0)  # hand the GIL over, or the event loop waits out a switch interval each time
            return scan_once(text, index)

        return scan
