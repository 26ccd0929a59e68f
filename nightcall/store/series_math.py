"""Per-series arithmetic on engine-reduced rows: counter rates and histogram quantiles."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DELTA = 1  # OTLP AggregationTemporality: 1 delta, 2 cumulative


def _labels(row: dict[str, Any], group_by: Sequence[str]) -> tuple[str, ...]:
    return tuple(str(row[f"g{i}"]) for i in range(len(group_by)))


def counter_rates(
    rows: list[dict[str, Any]], group_by: Sequence[str], step_s: float
) -> dict[tuple[tuple[str, ...], int], float]:
    """Per-second rates per (labels, bucket), summed over the series in each label set.

    Cumulative series contribute the increase since their previous bucket; a decrease, or a new
    start time (`start_ns`, the process restarted), is a reset, counted as the new value. Delta
    series contribute their sum.
    """
    rates: dict[tuple[tuple[str, ...], int], float] = defaultdict(float)
    previous: dict[tuple[tuple[str, ...], str], tuple[float, int]] = {}
    for row in sorted(rows, key=lambda r: int(r["bucket"])):
        labels = _labels(row, group_by)
        bucket = int(row["bucket"])
        if int(row["temporality"]) == DELTA:
            rates[labels, bucket] += float(row["total"]) / step_s
            continue
        key = (labels, str(row["sk"]))
        last, start_ns = float(row["last"]), int(row.get("start_ns", 0))
        before = previous.get(key)
        previous[key] = (last, start_ns)
        if before is None:
            continue  # the first sample of a cumulative series has no interval to rate
        is_reset = last < before[0] or start_ns != before[1]
        increase = last if is_reset else last - before[0]
        rates[labels, bucket] += increase / step_s
    return dict(rates)


_Sample = tuple[float, float, list[float]]  # a cumulative histogram's count, sum and buckets


@dataclass(slots=True)
class HistogramSum:
    """A histogram merged over series for one (labels, bucket)."""

    count: float = 0.0
    total: float = 0.0
    bounds: list[float] = field(default_factory=list)
    buckets: list[float] = field(default_factory=list)


def merge_histograms(
    rows: list[dict[str, Any]], group_by: Sequence[str]
) -> dict[tuple[tuple[str, ...], int], HistogramSum]:
    """Per (labels, bucket): counts, sums and bucket counts of the interval, over all series."""
    merged: dict[tuple[tuple[str, ...], int], HistogramSum] = defaultdict(HistogramSum)
    previous: dict[tuple[tuple[str, ...], str], tuple[_Sample, int]] = {}
    for row in sorted(rows, key=lambda r: int(r["bucket"])):
        labels = _labels(row, group_by)
        bucket = int(row["bucket"])
        if int(row["temporality"]) == DELTA:
            count, total = float(row["total_count"]), float(row["total_sum"])
            buckets = [float(b) for b in row["total_buckets"]]
        else:
            key = (labels, str(row["sk"]))
            now = (float(row["last_count"]), float(row["last_sum"]),
                   [float(b) for b in row["last_buckets"]])  # fmt: skip
            start_ns = int(row.get("start_ns", 0))
            seen = previous.get(key)
            previous[key] = (now, start_ns)
            if seen is None:
                continue
            before, before_start_ns = seen
            if now[0] < before[0] or len(now[2]) != len(before[2]) or start_ns != before_start_ns:
                count, total, buckets = now  # a reset: the whole value is this interval's
            else:
                count, total = now[0] - before[0], now[1] - before[1]
                buckets = [a - b for a, b in zip(now[2], before[2], strict=True)]
        target = merged[labels, bucket]
        target.count += count
        target.total += total
        bounds = [float(b) for b in row["bounds"]]
        if not target.buckets or target.bounds != bounds:
            if not target.buckets:
                target.bounds, target.buckets = bounds, buckets
            continue  # different bucket layouts cannot be added; keep the first
        target.buckets = [a + b for a, b in zip(target.buckets, buckets, strict=True)]
    return dict(merged)


def histogram_quantile(q: float, bounds: Sequence[float], buckets: Sequence[float]) -> float:
    """The q-quantile by linear interpolation inside explicit buckets, as Prometheus does."""
    total = sum(buckets)
    if total <= 0 or not buckets:
        return float("nan")
    rank = q * total
    seen = 0.0
    for index, count in enumerate(buckets):
        if count and seen + count >= rank:
            lower = bounds[index - 1] if index > 0 else min(0.0, bounds[0] if bounds else 0.0)
            if index >= len(bounds):
                return bounds[-1] if bounds else float("nan")  # the +Inf bucket: its lower edge
            upper = bounds[index]
            return lower + (upper - lower) * (rank - seen) / count
        seen += count
    return bounds[-1] if bounds else float("nan")
