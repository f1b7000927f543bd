"""The measurements, each over any `Driver`: sequential latency, a concurrency level, idle memory.

Every function returns plain rows (dataclasses) that the suite tabulates, saves as JSON and
plots. Errors never stop a measurement: a failed open or step is counted, and the first
message of each kind is kept so that the report can say what went wrong.
"""

from __future__ import annotations

import contextlib
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from benchmarks.drivers import Driver, StepFailed

__all__ = [
    "LevelRow",
    "MemoryRow",
    "Tally",
    "concurrent_level",
    "idle_memory",
    "percentile",
    "rss_kib",
    "sequential_block",
]


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `samples`; 0.0 when there are none."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    rank = max(math.ceil(q / 100 * len(ordered)) - 1, 0)
    return ordered[min(rank, len(ordered) - 1)]


@dataclass
class Tally:
    """Latencies (seconds), timed wall-clock seconds and errors, summed over blocks."""

    latencies: list[float] = field(default_factory=list[float])
    seconds: float = 0.0
    attempts: int = 0
    errors: int = 0
    first_error: str = ""

    def failed(self, exc: BaseException) -> None:
        self.errors += 1
        if not self.first_error:
            self.first_error = f"{type(exc).__name__}: {exc}"[:300]

    @property
    def steps_per_s(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else 0.0

    @property
    def p99_ms(self) -> float:
        return percentile(self.latencies, 99) * 1000

    @property
    def error_rate(self) -> float:
        return self.errors / self.attempts if self.attempts else 0.0


async def _timed_steps(driver: Driver, episode: object, steps: int, tally: Tally) -> None:
    for _ in range(steps):
        tally.attempts += 1
        began = time.perf_counter()
        try:
            await driver.step(episode)
        except Exception as exc:  # any failure is a counted error, its message kept
            tally.failed(exc)
            continue
        tally.latencies.append(time.perf_counter() - began)


async def _open_all(driver: Driver, count: int, tally: Tally, *, concurrency: int = 64) -> list[object]:
    """Open `count` episodes, `concurrency` at a time; a failed open counts as an error."""
    episodes: list[object] = []
    limiter = anyio.CapacityLimiter(concurrency)

    async def open_one() -> None:
        async with limiter:
            tally.attempts += 1
            try:
                episodes.append(await driver.open())
            except Exception as exc:  # any failure is a counted error, its message kept
                tally.failed(exc)

    async with anyio.create_task_group() as tg:
        for _ in range(count):
            tg.start_soon(open_one)
    return episodes


async def _close_all(driver: Driver, episodes: list[object]) -> None:
    limiter = anyio.CapacityLimiter(64)

    async def close_one(episode: object) -> None:
        async with limiter:
            # Closing is the server's business; the measurement is over.
            with contextlib.suppress(StepFailed, OSError, TimeoutError):
                await driver.close(episode)

    async with anyio.create_task_group() as tg:
        for episode in episodes:
            tg.start_soon(close_one, episode)


async def sequential_block(driver: Driver, episode: object, steps: int, tally: Tally) -> None:
    """One client stepping one episode `steps` times, one call after another."""
    began = time.perf_counter()
    await _timed_steps(driver, episode, steps, tally)
    tally.seconds += time.perf_counter() - began


@dataclass
class LevelRow:
    """One server at one concurrency level."""

    driver: str
    episodes: int
    steps: int
    steps_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    attempts: int
    error_rate: float
    first_error: str


async def concurrent_level(
    driver: Driver,
    episodes: int,
    steps_each: int,
    *,
    stepper: Callable[[list[object], int, Tally], Awaitable[None]] | None = None,
    tally: Tally | None = None,
) -> LevelRow:
    """Open `episodes` episodes (untimed), step each `steps_each` times concurrently, close them.

    `stepper`, when given, replaces the concurrent per-episode tasks (the batched scenario).
    With `tally`, the block adds to it and the row covers every block so far.
    """
    tally = tally if tally is not None else Tally()
    opened = await _open_all(driver, episodes, tally)
    began = time.perf_counter()
    if stepper is not None:
        await stepper(opened, steps_each, tally)
    else:
        async with anyio.create_task_group() as tg:
            for episode in opened:
                tg.start_soon(_timed_steps, driver, episode, steps_each, tally)
    tally.seconds += time.perf_counter() - began
    await _close_all(driver, opened)
    return LevelRow(
        driver=driver.label,
        episodes=episodes,
        steps=len(tally.latencies),
        steps_per_s=tally.steps_per_s,
        p50_ms=tally.p50_ms,
        p99_ms=tally.p99_ms,
        errors=tally.errors,
        attempts=tally.attempts,
        error_rate=tally.error_rate,
        first_error=tally.first_error,
    )


def rss_kib(pid: int) -> int:
    """Resident set size of process `pid` in KiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS line for process {pid}")


@dataclass
class MemoryRow:
    """Resident memory of a server process before and after opening idle episodes."""

    driver: str
    episodes: int
    opened: int
    rss_before_kib: int
    rss_after_kib: int
    kib_per_episode: float
    errors: int
    first_error: str


async def idle_memory(driver: Driver, count: int, *, warmup: int = 200) -> MemoryRow:
    """Open `warmup` episodes (allocator and caches settle), then `count` more; RSS per episode."""
    pid = driver.server_pid
    if pid is None:
        raise ValueError(f"{driver.label} does not run in a child process; its memory cannot be read")
    tally = Tally()
    warm = await _open_all(driver, warmup, tally)
    before = rss_kib(pid)
    opened = await _open_all(driver, count, tally)
    await anyio.sleep(0.5)
    after = rss_kib(pid)
    await _close_all(driver, warm + opened)
    return MemoryRow(
        driver=driver.label,
        episodes=count,
        opened=len(opened),
        rss_before_kib=before,
        rss_after_kib=after,
        kib_per_episode=(after - before) / max(len(opened), 1),
        errors=tally.errors,
        first_error=tally.first_error,
    )
