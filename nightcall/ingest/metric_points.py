"""Metric points made by nightcall itself (StatsD, host, probes) → batches for the metric tables.

The OTLP path flattens protobuf messages; the sources that aggregate or measure on their own
build these records instead and encode them here, into the same tables and columns as
`otel_metrics_gauge`, `otel_metrics_sum`, `otel_metrics_histogram` and `otel_metrics_summary`.
Columns are named per batch, so the layout below only has to name columns the schema has.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, TypeAlias

import orjson

from nightcall import __version__
from nightcall.model import DecodedRequest, EncodedBatch, Signal


class Temporality(IntEnum):
    """OTLP AggregationTemporality: what a sum or histogram point covers."""

    DELTA = 1  # only the interval from start_ns to time_ns
    CUMULATIVE = 2  # everything since start_ns


@dataclass(frozen=True, slots=True, kw_only=True)
class MetricResource:
    """Who reported a point: the service, the resource attributes, the instrumentation scope."""

    service: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    scope_name: str = "nightcall"
    scope_version: str = __version__


@dataclass(frozen=True, slots=True, kw_only=True)
class _Point:
    resource: MetricResource
    name: str
    time_ns: int
    start_ns: int = 0
    attributes: Mapping[str, str] = field(default_factory=dict)
    unit: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Gauge(_Point):
    """A value sampled at `time_ns`."""

    value: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Sum(_Point):
    """A counter: the total over the interval (delta) or since `start_ns` (cumulative)."""

    value: float
    temporality: Temporality = Temporality.CUMULATIVE
    is_monotonic: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Histogram(_Point):
    """Observations in explicit buckets: `bucket_counts` has one more entry than `bounds`."""

    count: int
    total: float
    bounds: tuple[float, ...]
    bucket_counts: tuple[int, ...]
    min: float | None = None
    max: float | None = None
    temporality: Temporality = Temporality.DELTA


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary(_Point):
    """Observations as count, sum and (quantile, value) pairs."""

    count: int
    total: float
    quantiles: tuple[tuple[float, float], ...] = ()


MetricPoint: TypeAlias = Gauge | Sum | Histogram | Summary

_COMMON = (
    *("ServiceName", "ResourceAttributes", "ScopeName", "ScopeVersion", "MetricName"),
    *("MetricDescription", "MetricUnit", "Attributes", "StartTsNs", "TimeNs", "Flags"),
)
# point class -> (table, insert columns); the same layout the OTLP flattener writes.
LAYOUT: dict[type[_Point], tuple[str, tuple[str, ...]]] = {
    Gauge: ("otel_metrics_gauge", (*_COMMON, "Value")),
    Sum: ("otel_metrics_sum", (*_COMMON, "Value", "AggregationTemporality", "IsMonotonic")),
    Histogram: (
        "otel_metrics_histogram",
        (
            *_COMMON,
            "Count",
            "Sum",
            "BucketCounts",
            "ExplicitBounds",
            "Min",
            "Max",
            "AggregationTemporality",
        ),
    ),
    Summary: (
        "otel_metrics_summary",
        (*_COMMON, "Count", "Sum", "ValueAtQuantiles.Quantile", "ValueAtQuantiles.Value"),
    ),
}


def _tail(point: MetricPoint) -> list[Any] | None:
    """The type-specific end of a row, or None when a value is NaN or infinite."""
    if isinstance(point, Gauge):
        return [point.value] if math.isfinite(point.value) else None
    if isinstance(point, Sum):
        if not math.isfinite(point.value):
            return None
        return [point.value, int(point.temporality), point.is_monotonic]
    if isinstance(point, Histogram):
        if not math.isfinite(point.total):
            return None
        return [point.count, point.total, list(point.bucket_counts), list(point.bounds),
                point.min, point.max, int(point.temporality)]  # fmt: skip
    values = [v for _, v in point.quantiles]
    if not math.isfinite(point.total) or not all(math.isfinite(v) for v in values):
        return None
    return [point.count, point.total, [q for q, _ in point.quantiles], values]


def encode_metric_points(points: Iterable[MetricPoint]) -> DecodedRequest:
    """One batch per metric table present; points with a non-finite value are rejected."""
    rows: dict[type[_Point], list[list[Any]]] = {}
    total = 0
    for point in points:
        total += 1
        tail = _tail(point)
        if tail is None:
            continue
        resource = point.resource
        rows.setdefault(type(point), []).append(
            [resource.service, dict(resource.attributes), resource.scope_name,
             resource.scope_version, point.name, point.description, point.unit,
             dict(point.attributes), point.start_ns, point.time_ns, 0, *tail]
        )  # fmt: skip
    batches = []
    for kind, kind_rows in rows.items():
        table, names = LAYOUT[kind]
        columns = [list(column) for column in zip(*kind_rows, strict=True)]
        batches.append(
            EncodedBatch(
                table=table, columns=names, payload=orjson.dumps(columns), rows=len(kind_rows)
            )
        )
    accepted = sum(len(r) for r in rows.values())
    rejected = total - accepted
    return DecodedRequest(
        signal=Signal.METRICS,
        batches=tuple(batches),
        accepted=accepted,
        rejected=rejected,
        rejection_reason=f"{rejected} point(s) had a NaN or infinite value" if rejected else "",
    )
