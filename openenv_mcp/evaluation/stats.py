"""The statistics of an evaluation: the unbiased pass@k estimator and a bootstrap confidence interval."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

__all__ = ["bootstrap_ci", "mean", "pass_at_k"]


def pass_at_k(n: int, c: int, k: int) -> float:
    """The chance that at least one of `k` of `n` samples passes, when `c` of them did (Chen et al. 2021).

    ``1 - C(n - c, k) / C(n, k)``, computed as a product so large `n` stays exact enough.

    >>> pass_at_k(10, 0, 1), pass_at_k(10, 10, 5), round(pass_at_k(10, 3, 1), 6), round(pass_at_k(5, 2, 2), 6)
    (0.0, 1.0, 0.3, 0.7)
    """
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n; got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.prod(1.0 - k / i for i in range(n - c + 1, n + 1))


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def bootstrap_ci(
    values: Sequence[float], *, confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """The percentile bootstrap interval of the mean (seeded: the same values give the same interval).

    >>> bootstrap_ci([1.0, 1.0, 1.0])
    (1.0, 1.0)
    """
    if not values:
        return (math.nan, math.nan)
    rng, count = random.Random(seed), len(values)
    means = sorted(sum(rng.choices(values, k=count)) / count for _ in range(resamples))
    tail = (1.0 - confidence) / 2
    low, high = means[int(tail * (resamples - 1))], means[math.ceil((1 - tail) * (resamples - 1))]
    return (low, high)
