"""Counter rates, histogram merging and quantiles on engine-reduced rows, without an engine."""

from __future__ import annotations

import math
from typing import Any

import pytest

from nightcall.store.series_math import counter_rates, histogram_quantile, merge_histograms

CUMULATIVE = 2
DELTA = 1


def counter_row(
    bucket: int, last: float, *, sk: str = "s1", start_ns: int = 0, labels: tuple[str, ...] = ()
) -> dict[str, Any]:
    """A reduced cumulative counter row, as the metric series query returns it."""
    row: dict[str, Any] = {"bucket": bucket, "sk": sk, "last": last, "total": last,
                           "temporality": CUMULATIVE, "start_ns": start_ns}  # fmt: skip
    row.update({f"g{i}": value for i, value in enumerate(labels)})
    return row


def histogram_row(
    bucket: int,
    buckets: list[float],
    *,
    temporality: int = CUMULATIVE,
    total_sum: float = 0.0,
    bounds: tuple[float, ...] = (1.0, 2.0),
    sk: str = "s1",
    start_ns: int = 0,
) -> dict[str, Any]:
    """A reduced histogram row, as the metric series query returns it."""
    count = sum(buckets)
    return {"bucket": bucket, "sk": sk, "temporality": temporality, "start_ns": start_ns,
            "last_count": count, "last_sum": total_sum, "last_buckets": buckets,
            "total_count": count, "total_sum": total_sum, "total_buckets": buckets,
            "bounds": list(bounds)}  # fmt: skip


def test_cumulative_rate_is_the_increase_per_second() -> None:
    """Each bucket after the first gets the increase since the previous one, over the step."""
    rows = [counter_row(0, 100), counter_row(1, 110), counter_row(2, 140)]
    assert counter_rates(rows, (), 10.0) == {((), 1): 1.0, ((), 2): 3.0}


def test_cumulative_rate_skips_the_first_sample() -> None:
    """A series' first sample has no interval before it, so it gives no rate."""
    assert counter_rates([counter_row(0, 500)], (), 10.0) == {}


def test_cumulative_decrease_is_a_reset() -> None:
    """A value below the previous one counts whole, as the increase since the reset."""
    rows = [counter_row(0, 100), counter_row(1, 4)]
    assert counter_rates(rows, (), 2.0) == {((), 1): 2.0}


def test_cumulative_new_start_time_is_a_reset() -> None:
    """A new start time means the counter restarted: its value counts whole, even if higher."""
    rows = [counter_row(0, 100, start_ns=1), counter_row(1, 150, start_ns=2)]
    assert counter_rates(rows, (), 10.0) == {((), 1): 15.0}


def test_cumulative_series_in_one_label_set_are_summed() -> None:
    """Two series with the same labels add their rates; each is differenced on its own."""
    rows = [
        counter_row(0, 100, sk="x"), counter_row(1, 110, sk="x"),
        counter_row(0, 5, sk="y"), counter_row(1, 25, sk="y"),
    ]  # fmt: skip
    assert counter_rates(rows, (), 10.0) == {((), 1): 3.0}


def test_counter_rates_are_kept_per_label_set() -> None:
    """Rows with different group-by labels give separate rates."""
    rows = [
        counter_row(0, 0, sk="x", labels=("a",)), counter_row(1, 10, sk="x", labels=("a",)),
        counter_row(0, 0, sk="y", labels=("b",)), counter_row(1, 30, sk="y", labels=("b",)),
    ]  # fmt: skip
    assert counter_rates(rows, ("route",), 10.0) == {(("a",), 1): 1.0, (("b",), 1): 3.0}


def test_delta_rate_is_the_sum_per_second() -> None:
    """A delta row's total over the step is its rate, first bucket included."""
    rows = [{"bucket": 0, "sk": "d", "last": 3, "total": 30, "temporality": DELTA}]
    assert counter_rates(rows, (), 10.0) == {((), 0): 3.0}


def test_rows_are_ordered_by_bucket_before_differencing() -> None:
    """Rows may arrive in any order; differences follow the buckets."""
    rows = [counter_row(2, 60), counter_row(0, 0), counter_row(1, 20)]
    assert counter_rates(rows, (), 10.0) == {((), 1): 2.0, ((), 2): 4.0}


def test_merge_cumulative_histograms_takes_bucket_increases() -> None:
    """A cumulative histogram's interval is the bucket-wise increase over the previous sample."""
    merged = merge_histograms([histogram_row(0, [1, 1, 0]), histogram_row(1, [3, 5, 2])], ())
    assert list(merged) == [((), 1)]
    interval = merged[(), 1]
    assert (interval.count, interval.buckets, interval.bounds) == (8.0, [2.0, 4.0, 2.0], [1.0, 2.0])


def test_merge_histogram_reset_by_decrease_or_new_start() -> None:
    """A lower count or a new start time makes the new sample the whole interval."""
    lower = merge_histograms([histogram_row(0, [5, 5, 5]), histogram_row(1, [1, 0, 0])], ())
    assert lower[(), 1].buckets == [1.0, 0.0, 0.0]
    restarted = merge_histograms(
        [histogram_row(0, [1, 1, 1], start_ns=1), histogram_row(1, [2, 2, 2], start_ns=2)], ()
    )
    assert restarted[(), 1].buckets == [2.0, 2.0, 2.0]


def test_merge_delta_histograms_adds_series() -> None:
    """Delta histograms of the same layout in one bucket add their counts, sums and buckets."""
    rows = [
        histogram_row(0, [1, 2, 3], temporality=DELTA, total_sum=10.0, sk="a"),
        histogram_row(0, [4, 5, 6], temporality=DELTA, total_sum=20.0, sk="b"),
    ]
    merged = merge_histograms(rows, ())[(), 0]
    assert (merged.count, merged.total, merged.buckets) == (21.0, 30.0, [5.0, 7.0, 9.0])


def test_merge_keeps_the_first_layout_when_bounds_differ() -> None:
    """Buckets with other bounds cannot be added: counts add, bucket counts keep the first."""
    rows = [
        histogram_row(0, [1, 1, 1], temporality=DELTA, sk="a"),
        histogram_row(0, [9, 9], temporality=DELTA, bounds=(5.0,), sk="b"),
    ]
    merged = merge_histograms(rows, ())[(), 0]
    assert (merged.count, merged.bounds, merged.buckets) == (21.0, [1.0, 2.0], [1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    ("q", "expected"),
    [(0.1, 10.0), (0.5, 50.0), (0.8, 100.0), (0.95, 400.0), (0.99, 480.0), (1.0, 500.0)],
)
def test_histogram_quantile_interpolates_linearly_in_a_bucket(q: float, expected: float) -> None:
    """The quantile falls in the bucket holding its rank, linearly between the bucket's edges."""
    assert histogram_quantile(q, [10, 50, 100, 500], [10, 40, 30, 20, 0]) == pytest.approx(expected)


def test_histogram_quantile_first_bucket_starts_at_zero() -> None:
    """Positive bounds: the first bucket spans 0 to its upper bound."""
    assert histogram_quantile(0.5, [10.0], [4, 0]) == 5.0


def test_histogram_quantile_first_bucket_with_negative_bound() -> None:
    """A negative first bound is its own lower edge, so the quantile is that bound."""
    assert histogram_quantile(0.5, [-4.0, 0.0], [2, 0, 0]) == -4.0


def test_histogram_quantile_in_the_overflow_bucket_is_the_last_bound() -> None:
    """A rank in the +Inf bucket answers its lower edge, the highest finite bound."""
    assert histogram_quantile(0.9, [1.0, 2.0], [1, 1, 8]) == 2.0


def test_histogram_quantile_skips_empty_buckets() -> None:
    """Empty buckets before the rank do not take it."""
    assert histogram_quantile(0.5, [1.0, 2.0, 3.0], [0, 0, 2, 0]) == 2.5


def test_histogram_quantile_of_nothing_is_nan() -> None:
    """No observations, or no buckets at all, give NaN."""
    assert math.isnan(histogram_quantile(0.5, [1.0], [0, 0]))
    assert math.isnan(histogram_quantile(0.5, [], []))
