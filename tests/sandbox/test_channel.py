"""The host end of the channel, over a plain pipe pair: bounded reads, checked messages."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from contextlib import contextmanager, suppress

import anyio
import pytest

from openenv_mcp.sandbox import channel as channel_module
from openenv_mcp.sandbox.channel import MAX_VALUES, Channel, ChannelClosedError, MalformedMessageError


class Pipes:
    """A channel whose worker end the test writes to directly."""

    def __init__(self, max_message: int) -> None:
        from_worker_r, self.worker_w = os.pipe()
        self.worker_r, to_worker_w = os.pipe()
        self.channel = Channel(from_worker_r, to_worker_w, max_message)

    def write(self, data: bytes) -> None:
        os.write(self.worker_w, data)

    async def stream(self, data: bytes) -> None:
        """Write `data` at the pace the channel reads it, as a worker would."""
        os.set_blocking(self.worker_w, False)
        view = memoryview(data)
        while view:
            try:
                view = view[os.write(self.worker_w, view) :]
            except BlockingIOError:
                await anyio.wait_writable(self.worker_w)
            except BrokenPipeError:
                return

    def close(self) -> None:
        self.channel.close()
        for fd in (self.worker_w, self.worker_r):
            with suppress(OSError):
                os.close(fd)


@contextmanager
def pipes(max_message: int = 1 << 20) -> Generator[Pipes]:
    pair = Pipes(max_message)
    try:
        yield pair
    finally:
        pair.close()


async def receive(channel: Channel) -> object:
    with anyio.fail_after(10):
        return await channel.receive()


async def test_messages_split_and_joined_across_writes() -> None:
    with pipes() as pair:
        pair.write(b'{"op":"a"}\n{"op":')
        assert await receive(pair.channel) == {"op": "a"}
        pair.write(b'"b"}\n')
        assert await receive(pair.channel) == {"op": "b"}


async def test_a_long_legitimate_message_is_read_whole() -> None:
    message = {"op": "tool", "name": "write_file", "arguments": {"content": "é\n" * 500_000}}
    line = json.dumps(message).encode() + b"\n"
    with pipes(max_message=len(line)) as pair:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(pair.stream, line)
            assert await receive(pair.channel) == message


async def test_a_line_over_the_maximum_is_refused_before_it_is_held() -> None:
    with pipes(max_message=100_000) as pair:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(pair.stream, b"x" * 4_000_000)
            with pytest.raises(MalformedMessageError, match=r"a line over 100,000 bytes"):
                await receive(pair.channel)
            pair.channel.close()
    assert 100_000 < pair.channel.peak <= 100_001


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b"not json", "a line that is not JSON"),
        (b"\xff\xfe", "a line that is not JSON"),
        (b"[1, 2]", "JSON that is a list, not an object"),
        (b"[" * 10_000, "a line that is not JSON"),
        (b"[" * 100_000, "a line that is not JSON"),
        (b"[" + b"[]," * MAX_VALUES + b"[]]", f"over {MAX_VALUES:,} JSON values"),
        (b"[" + b"[]," * 1000 + b" " * 100_000 + b"[]]", "JSON that is a list, not an object"),
    ],
    ids=["text", "not-utf8", "array", "deep", "deeper", "too-many-values", "long-array"],
)
async def test_what_is_not_a_message_is_malformed(line: bytes, problem: str) -> None:
    with pipes() as pair:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(pair.stream, line + b"\n")
            with pytest.raises(MalformedMessageError) as caught:
                await receive(pair.channel)
            assert str(caught.value) == f"the sandbox sent a malformed message ({problem})"


async def test_end_of_file_is_a_closed_channel_not_a_malformed_message() -> None:
    with pipes() as pair:
        pair.write(b'{"op":')
        os.close(pair.worker_w)
        pair.worker_w = -1
        with pytest.raises(ChannelClosedError) as caught:
            await receive(pair.channel)
        assert not isinstance(caught.value, MalformedMessageError)


async def ticks(woke: list[float]) -> None:
    """Sleep a millisecond at a time, recording when each wake-up came."""
    while True:
        await anyio.sleep(0.001)
        woke.append(time.perf_counter())


async def test_parsing_a_huge_message_does_not_hold_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    # 5 MiB of empty arrays: parsed on the loop (or by the C decoder, which holds the GIL even in a
    # thread, about 0.7 s), no other task runs until it ends. Counted, not timed: a loaded machine
    # makes everything slower but still lets the loop run while a thread parses.
    line = b"[" + b"[]," * (5 * 1024 * 1024 // 3) + b"[]]\n"
    parses: list[tuple[float, float]] = []
    decode = channel_module._decode_bounded  # pyright: ignore[reportPrivateUsage]

    def timed(raw: bytes) -> object:
        began = time.perf_counter()
        try:
            return decode(raw)
        finally:
            parses.append((began, time.perf_counter()))

    monkeypatch.setattr(channel_module, "_decode_bounded", timed)
    woke: list[float] = []
    with pipes(max_message=len(line)) as pair:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(ticks, woke)
            tasks.start_soon(pair.stream, line)
            with pytest.raises(MalformedMessageError, match="JSON values"):
                await receive(pair.channel)
            tasks.cancel_scope.cancel()
    [(began, ended)] = parses
    during = [t for t in woke if began < t < ended]
    assert len(during) >= 10, f"the loop woke {len(during)} times in a {ended - began:.3f} s parse"
