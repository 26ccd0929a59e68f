"""Metric points → an OTLP `ExportMetricsServiceRequest`, for shipping to a server over HTTP.

The inverse of the OTLP flattener: points are grouped by resource and scope, then by metric
(name, kind, unit), so each metric carries all of its data points once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2

from nightcall.ingest.metric_points import (
    Gauge,
    Histogram,
    MetricPoint,
    Sum,
    Summary,
)


def _attributes(values: Mapping[str, str]) -> list[Any]:
    return [
        common_pb2.KeyValue(key=key, value=common_pb2.AnyValue(string_value=value))
        for key, value in values.items()
    ]


def _kind(point: MetricPoint) -> str:
    return {Gauge: "gauge", Sum: "sum", Histogram: "histogram", Summary: "summary"}[type(point)]


def _add_point(metric: Any, point: MetricPoint) -> None:
    common: dict[str, Any] = {
        "attributes": _attributes(point.attributes),
        "start_time_unix_nano": point.start_ns,
        "time_unix_nano": point.time_ns,
    }
    if isinstance(point, Gauge):
        metric.gauge.data_points.append(
            metrics_pb2.NumberDataPoint(as_double=point.value, **common)
        )
    elif isinstance(point, Sum):
        metric.sum.aggregation_temporality = int(point.temporality)
        metric.sum.is_monotonic = point.is_monotonic
        metric.sum.data_points.append(metrics_pb2.NumberDataPoint(as_double=point.value, **common))
    elif isinstance(point, Histogram):
        metric.histogram.aggregation_temporality = int(point.temporality)
        data = metrics_pb2.HistogramDataPoint(
            count=point.count,
            sum=point.total,
            bucket_counts=point.bucket_counts,
            explicit_bounds=point.bounds,
            **common,
        )
        if point.min is not None:
            data.min = point.min
        if point.max is not None:
            data.max = point.max
        metric.histogram.data_points.append(data)
    else:
        quantiles = [
            metrics_pb2.SummaryDataPoint.ValueAtQuantile(quantile=q, value=v)
            for q, v in point.quantiles
        ]
        metric.summary.data_points.append(
            metrics_pb2.SummaryDataPoint(
                count=point.count, sum=point.total, quantile_values=quantiles, **common
            )
        )


def encode_export_request(points: Iterable[MetricPoint]) -> bytes:
    """The serialized request carrying `points`."""
    request = metrics_service_pb2.ExportMetricsServiceRequest()
    scopes: dict[int, Any] = {}  # by id(): a resource holds a dict, so it is not hashable
    metrics: dict[tuple[int, str, str, str], Any] = {}
    for point in points:
        scope = scopes.get(id(point.resource))
        if scope is None:
            resource_metrics = request.resource_metrics.add()
            resource_metrics.resource.attributes.extend(_attributes(point.resource.attributes))
            scope = resource_metrics.scope_metrics.add()
            scope.scope.name = point.resource.scope_name
            scope.scope.version = point.resource.scope_version
            scopes[id(point.resource)] = scope
        key = (id(point.resource), point.name, _kind(point), point.unit)
        metric = metrics.get(key)
        if metric is None:
            metric = scope.metrics.add(
                name=point.name, unit=point.unit, description=point.description
            )
            metrics[key] = metric
        _add_point(metric, point)
    return bytes(request.SerializeToString())
