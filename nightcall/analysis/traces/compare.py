"""Slow traces against a baseline: which operations grew, which attribute values stand out.

Operations: per service and operation, each trace's total self-time in it (zero when the trace
never ran it), then the mean and p95 over each cohort; the growth in mean self-time, as a share
of the gap between the cohorts' mean trace durations, ranks them. Self-time rather than
duration, so a parent that only waited on a slow child is not blamed for it.

Attributes: per key=value, the share of traces in each cohort holding it on any span, the lift
(slow share / baseline share) and a two-proportion z-score as its significance. Keys that are
identifiers or take many values (ids, URLs, timestamps) are skipped: they would over-represent
by chance in any small set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nightcall.analysis.traces.critical_path import self_times
from nightcall.analysis.traces.spans import TraceSpan, build_tree

_ID_SUFFIXES = (".id", "_id", ".uuid", "_uuid")
_ID_KEYS = frozenset(
    {
        "id",
        "trace_id",
        "span_id",
        "url.full",
        "http.url",
        "http.target",
        "url.path",
        "url.query",
        "db.statement",
        "db.query.text",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class CompareOptions:
    """Limits of a comparison: distinct values above which a key is skipped, and result sizes."""

    max_values_per_key: int = 20
    max_operations: int = 20
    max_attributes: int = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class OperationShift:
    """One operation's self-time per trace in each cohort, and its share of the latency gap."""

    service: str
    operation: str
    slow_mean_self_ns: float
    baseline_mean_self_ns: float
    slow_p95_self_ns: float
    baseline_p95_self_ns: float
    delta_mean_self_ns: float
    contribution: float  # delta / the gap between the cohorts' mean durations (0 with no gap)


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributeShift:
    """How much more often traces in the slow cohort hold `key=value` than baseline traces."""

    key: str
    value: str
    slow_traces: int
    baseline_traces: int
    slow_share: float
    baseline_share: float
    lift: float | None  # None when no baseline trace holds it
    score: float  # two-proportion z-score: above ~3 is unlikely to be chance


@dataclass(frozen=True, slots=True, kw_only=True)
class CohortComparison:
    """The comparison of a slow cohort with a baseline cohort."""

    slow_traces: int
    baseline_traces: int
    slow_mean_duration_ns: float
    baseline_mean_duration_ns: float
    operations: tuple[OperationShift, ...]
    attributes: tuple[AttributeShift, ...]

    @property
    def gap_ns(self) -> float:
        return self.slow_mean_duration_ns - self.baseline_mean_duration_ns


def compare_cohorts(
    slow: Sequence[Sequence[TraceSpan]],
    baseline: Sequence[Sequence[TraceSpan]],
    *,
    options: CompareOptions = CompareOptions(),
) -> CohortComparison:
    """Operations whose self-time grew and attribute values over-represented in `slow`."""
    slow_mean = _mean([_duration(t) for t in slow])
    baseline_mean = _mean([_duration(t) for t in baseline])
    return CohortComparison(
        slow_traces=len(slow),
        baseline_traces=len(baseline),
        slow_mean_duration_ns=slow_mean,
        baseline_mean_duration_ns=baseline_mean,
        operations=_operations(slow, baseline, slow_mean - baseline_mean, options),
        attributes=_attributes(slow, baseline, options),
    )


def _duration(trace: Sequence[TraceSpan]) -> int:
    if not trace:
        return 0
    return max(s.end_ns for s in trace) - min(s.start_ns for s in trace)


def _self_by_operation(trace: Sequence[TraceSpan]) -> dict[tuple[str, str], int]:
    tree = build_tree(trace)
    totals: dict[tuple[str, str], int] = {}
    for span_id, self_ns in self_times(tree).items():
        span = tree.spans[span_id]
        key = (span.service, span.name)
        totals[key] = totals.get(key, 0) + self_ns
    return totals


def _operations(
    slow: Sequence[Sequence[TraceSpan]],
    baseline: Sequence[Sequence[TraceSpan]],
    gap_ns: float,
    options: CompareOptions,
) -> tuple[OperationShift, ...]:
    slow_totals = [_self_by_operation(t) for t in slow]
    baseline_totals = [_self_by_operation(t) for t in baseline]
    keys = {k for totals in (*slow_totals, *baseline_totals) for k in totals}
    shifts = []
    for service, operation in keys:
        in_slow = [t.get((service, operation), 0) for t in slow_totals]
        in_baseline = [t.get((service, operation), 0) for t in baseline_totals]
        delta = _mean(in_slow) - _mean(in_baseline)
        shifts.append(
            OperationShift(
                service=service,
                operation=operation,
                slow_mean_self_ns=_mean(in_slow),
                baseline_mean_self_ns=_mean(in_baseline),
                slow_p95_self_ns=percentile(in_slow, 95),
                baseline_p95_self_ns=percentile(in_baseline, 95),
                delta_mean_self_ns=delta,
                contribution=delta / gap_ns if gap_ns > 0 else 0.0,
            )
        )
    shifts.sort(key=lambda s: (-s.delta_mean_self_ns, s.service, s.operation))
    return tuple(shifts[: options.max_operations])


def _is_identifier(key: str) -> bool:
    lowered = key.lower()
    return lowered in _ID_KEYS or lowered.endswith(_ID_SUFFIXES)


def _pairs(trace: Iterable[TraceSpan]) -> set[tuple[str, str]]:
    return {(k, str(v)) for span in trace for k, v in span.attributes.items()}


def _attributes(
    slow: Sequence[Sequence[TraceSpan]],
    baseline: Sequence[Sequence[TraceSpan]],
    options: CompareOptions,
) -> tuple[AttributeShift, ...]:
    slow_pairs = [_pairs(t) for t in slow]
    baseline_pairs = [_pairs(t) for t in baseline]
    counts: dict[tuple[str, str], list[int]] = {}
    for index, cohort in enumerate((slow_pairs, baseline_pairs)):
        for pairs in cohort:
            for pair in pairs:
                counts.setdefault(pair, [0, 0])[index] += 1
    values_per_key: dict[str, int] = {}
    for key, _ in counts:
        values_per_key[key] = values_per_key.get(key, 0) + 1
    n_slow, n_baseline = len(slow), len(baseline)
    shifts = []
    for (key, value), (in_slow, in_baseline) in counts.items():
        if _is_identifier(key) or values_per_key[key] > options.max_values_per_key:
            continue
        slow_share = in_slow / n_slow if n_slow else 0.0
        baseline_share = in_baseline / n_baseline if n_baseline else 0.0
        if slow_share <= baseline_share:
            continue
        shifts.append(
            AttributeShift(
                key=key,
                value=value,
                slow_traces=in_slow,
                baseline_traces=in_baseline,
                slow_share=slow_share,
                baseline_share=baseline_share,
                lift=slow_share / baseline_share if baseline_share else None,
                score=_z_score(in_slow, n_slow, in_baseline, n_baseline),
            )
        )
    shifts.sort(key=lambda s: (-s.score, -s.slow_share, s.key, s.value))
    return tuple(shifts[: options.max_attributes])


def _z_score(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float:
    """The two-proportion z statistic of hits_a/n_a against hits_b/n_b (pooled variance)."""
    if not n_a or not n_b:
        return 0.0
    pooled = (hits_a + hits_b) / (n_a + n_b)
    variance = pooled * (1 - pooled) * (1 / n_a + 1 / n_b)
    if variance <= 0:
        return 0.0
    return (hits_a / n_a - hits_b / n_b) / math.sqrt(variance)


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`th percentile with linear interpolation between ranks (numpy's default)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
