"""Run every check on one environment class, in-process (the oracle reads privileged state)."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from openenv_mcp.conformance import ConformanceError, check_environment
from openenv_mcp.environment import Environment
from openenv_mcp.validation import semantic
from openenv_mcp.validation.liveness import tool_liveness
from openenv_mcp.validation.policies import Played, hook, noop_policy, oracle_policy, play, random_policy
from openenv_mcp.validation.report import CheckResult, Report
from openenv_mcp.validation.runtime import (
    episode_determinism,
    episode_isolation,
    network_policy,
    seed_control,
)

__all__ = ["CHECKS", "Played", "Runs", "validate"]

logger = logging.getLogger(__name__)


@dataclass
class Runs:
    """The episodes the semantic checks share: per task, the oracle's, the no-op's and random ones."""

    env_class: type[Environment]
    tasks: list[str | None]
    max_steps: int
    random_seeds: int
    oracle: dict[str | None, Played | None] = field(default_factory=dict[str | None, "Played | None"])
    floor: dict[str | None, list[Played]] = field(default_factory=dict[str | None, list[Played]])

    async def episode(
        self, policy: Any, seed: int, task: str | None, *, max_steps: int | None = None
    ) -> Played:
        env = self.env_class()
        try:
            options = None if task is None else {"task": task}
            steps = self.max_steps if max_steps is None else max_steps
            return await play(env, policy, seed=seed, options=options, max_steps=steps)
        finally:
            await env.close()

    async def collect(self) -> None:
        probe = self.env_class()
        try:
            has_oracle = hook(probe, "oracle_action") is not None
        finally:
            await probe.close()
        for task in self.tasks:
            # The oracle plays to the end (the episode's own budget), the floor only `max_steps`.
            oracle = (
                await self.episode(oracle_policy, 0, task, max_steps=ORACLE_STEPS) if has_oracle else None
            )
            self.oracle[task] = oracle
            self.floor[task] = [await self.episode(noop_policy, 0, task)] + [
                await self.episode(random_policy(n), n, task) for n in range(1, self.random_seeds + 1)
            ]


ORACLE_STEPS = 1000
"""The most steps an oracle's episode may take (every episode of ours ends well before)."""

Check = Callable[[type[Environment], Runs], Awaitable[CheckResult]]


async def contract(env_class: type[Environment], runs: Runs) -> CheckResult:
    try:
        await check_environment(env_class)
    except ConformanceError as exc:
        return CheckResult("runtime.contract", "fail", str(exc))
    return CheckResult("runtime.contract", "pass", "schemas, a working action, bad input, state and close")


CHECKS: dict[str, Check] = {
    "runtime.contract": contract,
    "runtime.seed_control": seed_control,
    "runtime.episode_determinism": episode_determinism,
    "runtime.episode_isolation": episode_isolation,
    "runtime.network_policy": network_policy,
    "runtime.tool_liveness": tool_liveness,
    "semantic.oracle_max": semantic.oracle_max,
    "semantic.floor_gap": semantic.floor_gap,
    "semantic.no_solution_leakage": semantic.no_solution_leakage,
}
"""Every check by its stable id, in the order they run."""


async def validate(
    env_class: type[Environment],
    *,
    tasks: int = 3,
    max_steps: int = 12,
    random_seeds: int = 2,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Every check on `env_class`: its first `tasks` tasks, episodes of at most `max_steps` steps."""
    report = Report(env_class.name)
    listed: list[str | None] = [*list(env_class.tasks())[:tasks]]
    runs = Runs(env_class, listed or [None], max_steps, random_seeds)
    try:
        if progress is not None:
            progress(f"{env_class.name}: playing the oracle, no-op and random policies")
        await runs.collect()
    except Exception as exc:  # the environment could not be played at all: exit code 2
        logger.exception("validating %s failed", env_class.name)
        report.error = f"{type(exc).__name__}: {exc}"
        return report
    for check_id, check in CHECKS.items():
        if progress is not None:
            progress(f"{env_class.name}: {check_id}")
        try:
            report.results.append(await check(env_class, runs))
        except Exception as exc:  # a check that crashes is a failed check, and the others go on
            logger.exception("check %s of %s crashed", check_id, env_class.name)
            report.results.append(
                CheckResult(check_id, "fail", f"the check crashed: {type(exc).__name__}: {exc}")
            )
    return report


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else 0.0
