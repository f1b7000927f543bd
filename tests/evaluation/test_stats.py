"""pass@k against known values and the combinatorial definition; the bootstrap interval."""

from __future__ import annotations

import math

import pytest

from openenv_mcp.evaluation import bootstrap_ci, pass_at_k


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [(1, 1, 1, 1.0), (1, 0, 1, 0.0), (10, 3, 1, 0.3), (5, 2, 2, 0.7), (4, 1, 2, 0.5), (10, 5, 10, 1.0),
     (20, 1, 10, 0.5), (100, 0, 50, 0.0)],
)  # fmt: skip
def test_known_values(n: int, c: int, k: int, expected: float) -> None:
    assert pass_at_k(n, c, k) == pytest.approx(expected)


@pytest.mark.parametrize("n", [1, 3, 8, 25])
def test_it_is_one_minus_the_chance_that_k_draws_all_fail(n: int) -> None:
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(1 - math.comb(n - c, k) / math.comb(n, k))


def test_pass_at_1_is_the_success_rate_and_k_beyond_n_is_refused() -> None:
    assert pass_at_k(7, 3, 1) == pytest.approx(3 / 7)
    with pytest.raises(ValueError, match="1 <= k <= n"):
        pass_at_k(3, 1, 4)


def test_the_bootstrap_interval_holds_the_mean_and_is_reproducible() -> None:
    values = [0.0, 0.2, 0.4, 1.0, 1.0, 0.6, 0.1, 0.9]
    low, high = bootstrap_ci(values)
    assert low < sum(values) / len(values) < high
    assert low >= 0.0 and high <= 1.0
    assert bootstrap_ci(values) == (low, high)
    assert bootstrap_ci([2.0]) == (2.0, 2.0)
