"""Regularizing series and the unit conversions thresholds rely on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nightcall.analysis.anomalies.series_ops import (
    canonical_factor,
    fill_gaps,
    regularize,
    rolling_median_mad,
)
from nightcall.model import Series, SeriesKey, SeriesKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make


def test_regularize_puts_gaps_as_nan() -> None:
    """Missing buckets become NaN on the median step; NaN values are dropped first."""
    series = Series(
        key=SeriesKey.of("m"),
        times_ns=(T0_NS, T0_NS + STEP_NS, T0_NS + 3 * STEP_NS, T0_NS + 4 * STEP_NS),
        values=(1.0, 2.0, math.nan, 5.0),
    )
    grid = regularize(series)
    assert grid is not None
    assert grid.step_ns == STEP_NS
    assert np.array_equal(np.isnan(grid.values), [False, False, True, True, False])


def test_fill_gaps_interpolates() -> None:
    """Interior NaNs are interpolated, edge NaNs take the nearest value."""
    filled = fill_gaps(np.array([math.nan, 1.0, math.nan, 3.0, math.nan]))
    assert filled.tolist() == [1.0, 1.0, 2.0, 3.0, 3.0]


def test_rolling_median_excludes_the_point_itself() -> None:
    """Each point's baseline is the median of the points before it, NaN-aware."""
    values = np.array([1.0, 2.0, math.nan, 4.0, 100.0])
    medians, _, counts = rolling_median_mad(values, 3)
    assert math.isnan(medians[0])
    assert medians[4] == 3.0  # median of 2, NaN, 4
    assert counts.tolist() == [0, 1, 2, 2, 2]


@pytest.mark.parametrize(
    ("kind", "unit", "values", "factor"),
    [
        (SeriesKind.LATENCY, "s", [0.1], 1000.0),
        (SeriesKind.LATENCY, "ms", [100.0], 1.0),
        (SeriesKind.LATENCY, "us", [100.0], 0.001),
        (SeriesKind.ERROR_RATE, "1", [0.1], 100.0),
        (SeriesKind.ERROR_RATE, "%", [10.0], 1.0),
        (SeriesKind.UTILIZATION, "", [0.5], 100.0),
        (SeriesKind.UTILIZATION, "", [50.0], 1.0),
        (SeriesKind.GAUGE, "", [1.0], None),
    ],
)
def test_canonical_factor(
    kind: SeriesKind, unit: str, values: list[float], factor: float | None
) -> None:
    """Values convert to ms for latency and % for ratios; other kinds have no canonical unit."""
    series = make(values, kind=kind, unit=unit)
    assert canonical_factor(series, np.array(values)) == factor


def test_series_rejects_mismatched_lengths() -> None:
    """A series with more times than values says so."""
    with pytest.raises(ValueError, match="2 times but 1 values"):
        Series(key=SeriesKey.of("m"), times_ns=(1, 2), values=(1.0,))


def test_series_key_reads_labels() -> None:
    """Keys sort labels, expose the service, and print like a Prometheus selector."""
    key = SeriesKey.of("latency", {"service": "cart", "route": "/buy"})
    assert key == SeriesKey.of("latency", {"route": "/buy", "service": "cart"})
    assert key.service == "cart"
    assert str(key) == 'latency{route="/buy",service="cart"}'
