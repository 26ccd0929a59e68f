"""ExportMetricsServiceRequest → one batch per metric type (gauge, sum, histogram, ...).

Every data point keeps its resource, scope, attributes, start and sample time, as the
Collector's ClickHouse exporter lays them out. Points with a non-finite value are rejected:
JSON cannot carry them and a NaN stored as 0 would be a lie.
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from nightcall.ingest.otlp.attributes import attributes_to_dict
from nightcall.ingest.otlp.flatten_traces import UNKNOWN_SERVICE
from nightcall.model import DecodedRequest, EncodedBatch, Signal

# Every metric table starts with these columns; each kind adds its own tail (in `_specific`).
_COMMON = (
    *("ServiceName", "ResourceAttributes", "ScopeName", "ScopeVersion", "MetricName"),
    *("MetricDescription", "MetricUnit", "Attributes", "StartTsNs", "TimeNs", "Flags"),
)
_HISTOGRAM_STATS = ("Count", "Sum")
_MIN_MAX_TEMPORALITY = ("Min", "Max", "AggregationTemporality")
# kind -> (table, insert columns)
TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "gauge": ("otel_metrics_gauge", (*_COMMON, "Value")),
    "sum": ("otel_metrics_sum", (*_COMMON, "Value", "AggregationTemporality", "IsMonotonic")),
    "histogram": (
        "otel_metrics_histogram",
        (*_COMMON, *_HISTOGRAM_STATS, "BucketCounts", "ExplicitBounds", *_MIN_MAX_TEMPORALITY),
    ),
    "exponential_histogram": (
        "otel_metrics_exponential_histogram",
        (
            *_COMMON,
            *_HISTOGRAM_STATS,
            "Scale",
            "ZeroCount",
            "PositiveOffset",
            "PositiveBucketCounts",
            "NegativeOffset",
            "NegativeBucketCounts",
            *_MIN_MAX_TEMPORALITY,
        ),
    ),
    "summary": (
        "otel_metrics_summary",
        (*_COMMON, *_HISTOGRAM_STATS, "ValueAtQuantiles.Quantile", "ValueAtQuantiles.Value"),
    ),
}


def _number(point: Any) -> float:
    return float(point.as_int) if point.WhichOneof("value") == "as_int" else point.as_double


def _optional(point: Any, name: str) -> float | None:
    return getattr(point, name) if point.HasField(name) else None


def _specific(kind: str, data: Any, point: Any) -> list[Any] | None:
    """The type-specific tail of a row, or None when the point cannot be stored faithfully."""
    if kind == "gauge":
        value = _number(point)
        return [value] if math.isfinite(value) else None
    if kind == "sum":
        value = _number(point)
        if not math.isfinite(value):
            return None
        return [value, data.aggregation_temporality, data.is_monotonic]
    if kind == "histogram":
        if not math.isfinite(point.sum):
            return None
        return [
            point.count,
            point.sum,
            list(point.bucket_counts),
            list(point.explicit_bounds),
            _optional(point, "min"),
            _optional(point, "max"),
            data.aggregation_temporality,
        ]
    if kind == "exponential_histogram":
        if not math.isfinite(point.sum):
            return None
        return [
            point.count,
            point.sum,
            point.scale,
            point.zero_count,
            point.positive.offset,
            list(point.positive.bucket_counts),
            point.negative.offset,
            list(point.negative.bucket_counts),
            _optional(point, "min"),
            _optional(point, "max"),
            data.aggregation_temporality,
        ]
    quantiles = [(q.quantile, q.value) for q in point.quantile_values]
    if not math.isfinite(point.sum) or not all(math.isfinite(v) for _, v in quantiles):
        return None
    return [point.count, point.sum, [q for q, _ in quantiles], [v for _, v in quantiles]]


def flatten_metrics(request: Any) -> DecodedRequest:
    """One batch per metric type present; non-finite points are counted as rejected."""
    rows: dict[str, list[list[Any]]] = {kind: [] for kind in TABLES}
    total = 0
    for resource_metrics in request.resource_metrics:
        resource_attrs = attributes_to_dict(resource_metrics.resource.attributes)
        service_name = resource_attrs.get("service.name") or UNKNOWN_SERVICE
        for scope_metrics in resource_metrics.scope_metrics:
            scope = scope_metrics.scope
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                if kind is None:
                    continue
                data = getattr(metric, kind)
                head = [
                    service_name,
                    resource_attrs,
                    scope.name,
                    scope.version,
                    metric.name,
                    metric.description,
                    metric.unit,
                ]
                for point in data.data_points:
                    total += 1
                    tail = _specific(kind, data, point)
                    if tail is None:
                        continue
                    rows[kind].append(
                        [
                            *head,
                            attributes_to_dict(point.attributes),
                            point.start_time_unix_nano,
                            point.time_unix_nano,
                            point.flags,
                            *tail,
                        ]
                    )
    batches = []
    for kind, kind_rows in rows.items():
        if kind_rows:
            table, names = TABLES[kind]
            columns = [list(column) for column in zip(*kind_rows, strict=True)]
            batches.append(
                EncodedBatch(
                    table=table, columns=names, payload=orjson.dumps(columns), rows=len(kind_rows)
                )
            )
    accepted = sum(b.rows for b in batches)
    rejected = total - accepted
    return DecodedRequest(
        signal=Signal.METRICS,
        batches=tuple(batches),
        accepted=accepted,
        rejected=rejected,
        rejection_reason=f"{rejected} data point(s) had a NaN or infinite value"
        if rejected
        else "",
    )
