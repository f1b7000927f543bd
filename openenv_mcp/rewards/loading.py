"""Reward functions named on the command line: ``MODULE:CALLABLE[=WEIGHT]``."""

from __future__ import annotations

from collections.abc import Sequence

from openenv_mcp.loading import load_callable
from openenv_mcp.rewards.errors import RewardError
from openenv_mcp.rewards.rubric import Reward, Rubric

__all__ = ["load_reward", "load_rubric"]


def load_reward(spec: str) -> Reward:
    """The reward `spec` names: ``package.module:function`` (a dotted attribute too), then ``=weight``.

    >>> load_reward("openenv_mcp.rewards.builtin:answer_match=0.5").weight
    0.5
    """
    target, _, weight_text = spec.partition("=")
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise RewardError(f"a reward is MODULE:CALLABLE[=WEIGHT]; got {spec!r}")
    try:
        weight = float(weight_text) if weight_text else 1.0
    except ValueError:
        raise RewardError(f"reward {spec!r}: the weight {weight_text!r} is not a number") from None
    found = load_callable(target, what=f"reward {spec!r}", error=RewardError)
    return Reward(found, weight, name=attribute.rsplit(".", 1)[-1])


def load_rubric(specs: Sequence[str], *, env_weight: float = 1.0) -> Rubric | None:
    """A rubric of the rewards `specs` name; None when there are none."""
    if not specs:
        return None
    try:
        return Rubric([load_reward(spec) for spec in specs], env_weight=env_weight)
    except ValueError as exc:
        raise RewardError(str(exc)) from exc
