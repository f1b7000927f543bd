"""Play an evaluation's episodes: each task `episodes` times (seeds counting up), `concurrency` at once.

Every episode goes through our client over MCP (in memory for an in-process `EnvServer`,
else to the URL), so it takes a trainer's path. An episode that fails (its policy raised,
its model endpoint is down, the server refused it, it outlasted `episode_timeout`) is kept
as failed, with why; the other episodes go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import anyio

from openenv_mcp.client import EnvClient, RemoteStepResult, Target
from openenv_mcp.evaluation.policies import PolicyFactory, Seat
from openenv_mcp.rewards import RewardedClient, Rubric
from openenv_mcp.server import EnvServer
from openenv_mcp.tasks import Task

__all__ = ["Outcome", "Plan", "evaluate"]

logger = logging.getLogger(__name__)
Progress = Callable[[int, int, int], None]
"""``progress(done, total, failed)`` after each episode."""


@dataclass(frozen=True)
class Plan:
    """What to play: the tasks, how many episodes of each, how many at once, and what counts as success."""

    tasks: list[Task]
    episodes: int = 10
    concurrency: int = 4
    max_steps: int = 200
    success_threshold: float = 1.0
    """An episode succeeds when its total reward reaches this (1.0: a solve in each of our environments)."""
    seed: int = 0
    episode_timeout: float = 300.0


@dataclass
class Outcome:
    """One played episode."""

    task: str
    seed: int
    reward: float = 0.0
    steps: int = 0
    success: bool = False
    ended: str = ""
    """terminated, truncated, stopped (the policy had nothing more), max_steps, or error."""
    error: str | None = None
    seconds: float = 0.0


async def evaluate(
    target: Target,
    plan: Plan,
    policy: PolicyFactory,
    *,
    rubric: Rubric | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """Every episode of `plan`, in the order of its tasks and seeds."""
    jobs = [
        (task, (task.seed if task.seed is not None else plan.seed) + i)
        for task in plan.tasks
        for i in range(plan.episodes)
    ]
    outcomes: list[Outcome | None] = [None] * len(jobs)
    pending = list(range(len(jobs)))[::-1]
    server = target if isinstance(target, EnvServer) else None

    def record(index: int, outcome: Outcome, began: float) -> None:
        outcome.seconds = time.monotonic() - began
        outcomes[index] = outcome
        if progress is not None:
            done = [o for o in outcomes if o is not None]
            progress(len(done), len(jobs), sum(o.error is not None for o in done))

    async def one(client: EnvClient, index: int) -> bool:
        """Play job `index` on `client`; False when it failed (the client is then opened afresh)."""
        task, seed = jobs[index]
        began = time.monotonic()
        try:
            with anyio.fail_after(plan.episode_timeout):
                outcome = await _play(client, server, plan, policy, rubric, task, seed)
        except Exception as exc:  # the episode failed: it counts as failed, the run goes on
            logger.debug("episode %s seed %d failed", task.id, seed, exc_info=True)
            record(index, _failed(task, seed, exc, plan.episode_timeout), began)
            return False
        record(index, outcome, began)
        return True

    async def worker() -> None:
        while pending:
            index, began = pending.pop(), time.monotonic()
            try:
                async with EnvClient(target) as client:
                    while await one(client, index) and pending:
                        index = pending.pop()
            except Exception as exc:  # the client could not open (or close): this job failed
                if outcomes[index] is None:
                    task, seed = jobs[index]
                    record(index, _failed(task, seed, exc, plan.episode_timeout), began)

    async with anyio.create_task_group() as tg:
        for _ in range(max(1, min(plan.concurrency, len(jobs)))):
            tg.start_soon(worker)
    return [o for o in outcomes if o is not None]


async def _play(
    client: EnvClient,
    server: EnvServer | None,
    plan: Plan,
    policy: PolicyFactory,
    rubric: Rubric | None,
    task: Task,
    seed: int,
) -> Outcome:
    scored = RewardedClient(client, rubric) if rubric is not None else None
    options = dict(task.options)
    last = await (scored.reset(seed, options, task=task) if scored else client.reset(seed, options))
    player = policy(Seat(client, client.tools(), seed, server))
    outcome = Outcome(task.id, seed, ended="max_steps")
    for _ in range(plan.max_steps):
        action = await player.act(last)
        if action is None:
            outcome.ended = "stopped"
            break
        last = await (scored.step(action) if scored else client.step(action))
        outcome.steps += 1
        outcome.reward += _reward(last)
        if last.done:
            outcome.ended = "terminated" if last.terminated else "truncated"
            break
    outcome.success = outcome.reward >= plan.success_threshold - 1e-9
    return outcome


def _reward(result: RemoteStepResult) -> float:
    combined = result.info.get("combined_reward")
    return float(combined) if isinstance(combined, int | float) else result.reward


def _failed(task: Task, seed: int, exc: Exception, timeout: float) -> Outcome:
    return Outcome(task.id, seed, ended="error", error=_why(exc, timeout))


def _why(exc: BaseException, timeout: float) -> str:
    """What went wrong, in a line: a task group's failure is its first exception's (the one that matters)."""
    while isinstance(exc, BaseExceptionGroup):
        group = cast(BaseExceptionGroup[BaseException], exc)
        exc = group.exceptions[0]
    if isinstance(exc, TimeoutError):
        return f"the episode took longer than {timeout:g} s"
    return f"{type(exc).__name__}: {exc}"
