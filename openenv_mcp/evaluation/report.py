"""An evaluation's results: per task and overall, as a table, `results.json` and a PNG of the rewards.

Mean reward with a 95 % percentile-bootstrap interval (2,000 resamples, seeded), success
rate, and pass@k by the unbiased estimator (each task's n episodes, c successes; overall
it is the mean over tasks). A failed episode counts as unsuccessful with the reward it had
earned when it failed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from openenv_mcp.evaluation.runner import Outcome
from openenv_mcp.evaluation.stats import bootstrap_ci, mean, pass_at_k

__all__ = ["CI_METHOD", "plot", "summary", "table", "write_results"]

CI_METHOD = "95% percentile bootstrap of the mean, 2000 resamples, seed 0"


def _group(outcomes: Sequence[Outcome], ks: Sequence[int]) -> dict[str, Any]:
    rewards = [o.reward for o in outcomes]
    low, high = bootstrap_ci(rewards)
    successes = sum(o.success for o in outcomes)
    n = len(outcomes)
    return {
        "episodes": n,
        "mean_reward": mean(rewards),
        "ci": [low, high],
        "success_rate": successes / n if n else 0.0,
        "successes": successes,
        "errors": sum(o.error is not None for o in outcomes),
        "pass_at_k": {str(k): pass_at_k(n, successes, k) for k in ks if k <= n},
    }


def summary(outcomes: Sequence[Outcome], ks: Sequence[int] = (1, 5, 10)) -> dict[str, Any]:
    """Per task and overall (overall pass@k: the mean of the tasks')."""
    by_task: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_task.setdefault(outcome.task, []).append(outcome)
    tasks = {task: _group(group, ks) for task, group in by_task.items()}
    overall = _group(outcomes, ks)
    shared = [k for k in ks if all(str(k) in t["pass_at_k"] for t in tasks.values())]
    overall["pass_at_k"] = {str(k): mean([t["pass_at_k"][str(k)] for t in tasks.values()]) for k in shared}
    return {"tasks": tasks, "overall": overall}


def table(result: dict[str, Any]) -> str:
    """The summary as a text table, one row per task and one overall."""
    rows: list[tuple[str, dict[str, Any]]] = [*result["tasks"].items(), ("overall", result["overall"])]
    ks = list(result["overall"]["pass_at_k"]) or sorted({k for _, r in rows for k in r["pass_at_k"]}, key=int)
    width = max(len(name) for name, _ in rows)
    head = f"{'task':<{width}}  {'n':>4}  {'mean reward':>11}  {'95% CI':>17}  {'success':>7}  "
    head += "  ".join(f"{'pass@' + k:>7}" for k in ks) + f"  {'errors':>6}"
    lines = [head, "-" * len(head)]
    for name, row in rows:
        low, high = row["ci"]
        passes = "  ".join(
            f"{row['pass_at_k'][k]:>7.3f}" if k in row["pass_at_k"] else f"{'-':>7}" for k in ks
        )
        lines.append(
            f"{name:<{width}}  {row['episodes']:>4}  {row['mean_reward']:>11.3f}  "
            f"{f'[{low:.3f}, {high:.3f}]':>17}  {row['success_rate']:>7.1%}  {passes}  {row['errors']:>6}"
        )
    return "\n".join(lines)


def write_results(
    directory: Path, config: dict[str, Any], result: dict[str, Any], outcomes: Sequence[Outcome]
) -> Path:
    """`DIR/results.json`: the run's configuration, the summary and every episode."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "results.json"
    document = {"config": config, "ci_method": CI_METHOD, **result, "episodes": [asdict(o) for o in outcomes]}
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def plot(directory: Path, outcomes: Sequence[Outcome], title: str) -> Path | None:
    """`DIR/rewards.png`: a histogram of the episodes' rewards per task; None without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    by_task: dict[str, list[float]] = {}
    for outcome in outcomes:
        by_task.setdefault(outcome.task, []).append(outcome.reward)
    figure, axes_ = plt.subplots(figsize=(7, 4))
    axes: Any = axes_  # matplotlib's stubs leave its keyword arguments untyped
    axes.hist(list(by_task.values()), bins=20, label=list(by_task), stacked=True)
    axes.set_xlabel("episode reward")
    axes.set_ylabel("episodes")
    axes.set_title(title)
    axes.legend()
    path = directory / "rewards.png"
    figure.savefig(path, dpi=100, bbox_inches="tight")  # pyright: ignore[reportUnknownMemberType]
    plt.close(figure)
    return path
