"""The likelihood-ratio scan: G favours the failing combination over coarser and finer ones."""

from __future__ import annotations

import numpy as np

from nightcall.analysis.dimensions.scan import log_likelihood_ratio, scan_causes


def test_g_is_largest_for_the_combination_that_fails() -> None:
    """Adding normal items to a failing set, or leaving failing items out, lowers its G."""
    all_failed, all_total = 110.0, 2000.0
    exact, coarser, finer = log_likelihood_ratio(
        np.array([100.0, 105.0, 50.0]), np.array([500.0, 1000.0, 250.0]), all_failed, all_total
    )
    assert exact > coarser > 0
    assert exact > finer > 0


def test_g_is_zero_where_the_rate_is_not_above_the_rest() -> None:
    """Only elements failing more often than the rest score."""
    g = log_likelihood_ratio(np.array([1.0, 0.0]), np.array([100.0, 50.0]), 10.0, 200.0)
    assert list(g) == [0.0, 0.0]


def test_the_scan_stops_when_nothing_is_significant() -> None:
    """One extra failure in one leaf of a thousand items is not a cause."""
    codes = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.int64)
    failed = np.array([6.0, 5.0, 5.0, 5.0])
    total = np.array([1000.0, 1000.0, 1000.0, 1000.0])
    causes, rate = scan_causes(codes, failed, total)
    assert causes == []
    assert rate == (21 + 0.5) / (4000 + 1)
