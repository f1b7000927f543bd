"""The semantic checks: the oracle reaches the maximum, the floor stays below it, nothing leaks."""

from __future__ import annotations

import json
import statistics
from typing import TYPE_CHECKING

from openenv_mcp.environment import Environment
from openenv_mcp.validation.report import CheckResult

if TYPE_CHECKING:
    from openenv_mcp.validation.runner import Runs

__all__ = ["floor_gap", "no_solution_leakage", "oracle_max"]

_TOLERANCE = 1e-6


def _task(task: str | None) -> str:
    return "the default episode" if task is None else f"task {task!r}"


async def oracle_max(env_class: type[Environment], runs: Runs) -> CheckResult:
    """On every task, the environment's oracle reaches the maximum total reward."""
    check = "semantic.oracle_max"
    totals: dict[str, float] = {}
    for task, played in runs.oracle.items():
        if played is None:
            return CheckResult(check, "skip", "the environment ships no oracle (an `oracle_action` hook)")
        if played.reward_range is None:
            return CheckResult(check, "skip", "the reward is unbounded: there is no maximum to reach")
        high = played.reward_range[1]
        totals[_task(task)] = played.total
        if not played.actions:
            return CheckResult(check, "fail", f"{_task(task)}: the oracle took no action")
        if played.total < high - _TOLERANCE:
            said = f"{_task(task)}: the oracle reached {played.total:g} of the maximum {high:g}"
            return CheckResult(check, "fail", said, {"totals": totals})
    return CheckResult(check, "pass", f"the maximum on {len(totals)} task(s)", {"totals": totals})


def margin_of(env_class: type[Environment], low: float, high: float) -> float:
    """The floor's distance below the oracle: the class's `floor_margin`, else a quarter of the range."""
    declared = getattr(env_class, "floor_margin", None)
    return float(declared) if isinstance(declared, int | float) else (high - low) / 4


async def floor_gap(env_class: type[Environment], runs: Runs) -> CheckResult:
    """No-op and random policies score clearly below the oracle (RFC 008's floor gap)."""
    check = "semantic.floor_gap"
    measured: dict[str, dict[str, float]] = {}
    for task, floor in runs.floor.items():
        oracle = runs.oracle.get(task)
        if oracle is None or oracle.reward_range is None:
            return CheckResult(check, "skip", "no oracle, or an unbounded reward: no gap to measure")
        low, high = oracle.reward_range
        margin = margin_of(env_class, low, high)
        noop, randoms = floor[0].total, [p.total for p in floor[1:]]
        best_random = max(randoms, default=low)
        measured[_task(task)] = {
            "oracle": oracle.total,
            "noop": noop,
            "random_mean": statistics.fmean(randoms or [low]),
        }
        worst = max(noop, best_random)
        if worst > oracle.total - margin:
            said = (
                f"{_task(task)}: a no-op or random policy scored {worst:g}, "
                f"within {margin:g} of the oracle's {oracle.total:g}"
            )
            return CheckResult(check, "fail", said, measured)
    return CheckResult(
        check, "pass", "no-op and random policies stay below the oracle by the margin", measured
    )


async def no_solution_leakage(env_class: type[Environment], runs: Runs) -> CheckResult:
    """No answer or hidden test shows in a tool's description, or in what the agent reads before the end."""
    check = "semantic.no_solution_leakage"
    played = [p for floor in runs.floor.values() for p in floor]
    secrets = {answer for p in played for answer in p.hidden if answer}
    if not secrets:
        return CheckResult(check, "skip", "the environment declares nothing secret (a `hidden_answers` hook)")
    probe = env_class()
    try:
        await probe.reset(seed=0)
        described = json.dumps([d.model_dump(mode="json") for d in probe.definitions()])
    finally:
        await probe.close()
    for p in played:
        for answer in p.hidden:
            if answer and answer in described:
                return CheckResult(check, "fail", f"a tool's description or schema shows {answer!r}")
            for number, text in enumerate(p.seen_before_the_end()):
                if answer and answer in text:
                    where = "the briefing" if number == 0 else f"step {number}'s observation"
                    return CheckResult(check, "fail", f"{where} shows a hidden answer ({answer!r:.40})")
    return CheckResult(
        check, "pass", f"{len(secrets)} hidden answer(s) never shown in {len(played)} episodes"
    )
