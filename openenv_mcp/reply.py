"""One answer, given once and awaited by one caller: a value, or the error to raise.

The steps that batching code sends for its callers (a client's `Coalescer`, a Ray front
door's `HostBatcher`) are each answered through one of these.
"""

from __future__ import annotations

from typing import Generic, TypeVar, cast

import anyio

__all__ = ["Reply"]

T = TypeVar("T")


class Reply(Generic[T]):
    """The first `give` wins; `wait` returns it, or raises it when it is an error."""

    def __init__(self) -> None:
        self._given = anyio.Event()
        self._value: T | BaseException | None = None

    @property
    def given(self) -> bool:
        return self._given.is_set()

    def give(self, value: T | BaseException) -> None:
        if not self._given.is_set():
            self._value = value
            self._given.set()

    async def wait(self) -> T:
        await self._given.wait()
        if isinstance(self._value, BaseException):
            raise self._value
        return cast(T, self._value)
