"""Real OTLP protobuf requests for the store tests, turned into batches by the real flatteners.

Tests describe spans, log records and metric points with these small builders; the flatteners
of `nightcall.ingest.otlp` make the `EncodedBatch`es, exactly as an ingest request would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1 import logs_pb2
from opentelemetry.proto.metrics.v1 import metrics_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

from nightcall.ingest.otlp import flatten_logs, flatten_metrics, flatten_traces
from nightcall.model import EncodedBatch

SECOND_NS = 1_000_000_000
MS_NS = 1_000_000
SERVER = trace_pb2.Span.SPAN_KIND_SERVER
CLIENT = trace_pb2.Span.SPAN_KIND_CLIENT
INTERNAL = trace_pb2.Span.SPAN_KIND_INTERNAL
DELTA = metrics_pb2.AGGREGATION_TEMPORALITY_DELTA
CUMULATIVE = metrics_pb2.AGGREGATION_TEMPORALITY_CUMULATIVE


def trace_id(number: int) -> bytes:
    """A 16-byte trace id that is never all zeros."""
    return (0xA000_0000_0000_0000_0000_0000_0000_0000 + number).to_bytes(16, "big")


def span_id(number: int) -> bytes:
    """An 8-byte span id that is never all zeros."""
    return (0xB000_0000_0000_0000 + number).to_bytes(8, "big")


def key_values(attributes: Mapping[str, str]) -> list[KeyValue]:
    """String attributes as OTLP KeyValues."""
    return [KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in attributes.items()]


def make_span(
    *,
    trace: bytes,
    span: bytes,
    name: str,
    start_ns: int,
    duration_ns: int,
    parent: bytes = b"",
    kind: int = SERVER,
    error: bool = False,
    attributes: Mapping[str, str] | None = None,
) -> trace_pb2.Span:
    """One span message."""
    status = trace_pb2.Status(code=trace_pb2.Status.STATUS_CODE_ERROR if error else 0)
    return trace_pb2.Span(
        trace_id=trace,
        span_id=span,
        parent_span_id=parent,
        name=name,
        kind=kind,
        start_time_unix_nano=start_ns,
        end_time_unix_nano=start_ns + duration_ns,
        attributes=key_values(attributes or {}),
        status=status,
    )


def traces_request(
    spans_by_service: Mapping[str, Sequence[trace_pb2.Span]],
    *,
    resource: Mapping[str, str] | None = None,
) -> ExportTraceServiceRequest:
    """An ExportTraceServiceRequest with one ResourceSpans per service."""
    request = ExportTraceServiceRequest()
    for service, spans in spans_by_service.items():
        resource_spans = request.resource_spans.add()
        resource_spans.resource.attributes.extend(
            key_values({"service.name": service, **(resource or {})})
        )
        scope_spans = resource_spans.scope_spans.add()
        scope_spans.scope.name = "tests.store"
        scope_spans.spans.extend(spans)
    return request


def trace_batches(
    spans_by_service: Mapping[str, Sequence[trace_pb2.Span]],
    *,
    resource: Mapping[str, str] | None = None,
) -> tuple[EncodedBatch, ...]:
    """The batches the real trace flattener makes of these spans."""
    decoded = flatten_traces(traces_request(spans_by_service, resource=resource))
    assert decoded.rejected == 0, decoded.rejection_reason
    return decoded.batches


def single_span_batch(number: int, *, service: str = "svc", start_ns: int) -> EncodedBatch:
    """One batch of one root span in its own trace (trace id `trace_id(number)`)."""
    span = make_span(
        trace=trace_id(number),
        span=span_id(number),
        name="GET /",
        start_ns=start_ns,
        duration_ns=MS_NS,
    )
    (batch,) = trace_batches({service: [span]})
    return batch


def make_log(
    *,
    time_ns: int,
    body: str,
    severity_number: int = 0,
    severity_text: str = "",
    trace: bytes = b"",
    span: bytes = b"",
    attributes: Mapping[str, str] | None = None,
) -> logs_pb2.LogRecord:
    """One log record message."""
    return logs_pb2.LogRecord(
        time_unix_nano=time_ns,
        observed_time_unix_nano=time_ns,
        severity_number=severity_number,
        severity_text=severity_text,
        body=AnyValue(string_value=body),
        trace_id=trace,
        span_id=span,
        attributes=key_values(attributes or {}),
    )


def log_batches(
    records_by_service: Mapping[str, Sequence[logs_pb2.LogRecord]],
) -> tuple[EncodedBatch, ...]:
    """The batches the real log flattener makes of these records."""
    request = ExportLogsServiceRequest()
    for service, records in records_by_service.items():
        resource_logs = request.resource_logs.add()
        resource_logs.resource.attributes.extend(key_values({"service.name": service}))
        scope_logs = resource_logs.scope_logs.add()
        scope_logs.scope.name = "tests.store"
        scope_logs.log_records.extend(records)
    decoded = flatten_logs(request)
    assert decoded.rejected == 0, decoded.rejection_reason
    return decoded.batches


def number_point(
    *, time_ns: int, value: float, start_ns: int = 0, attributes: Mapping[str, str] | None = None
) -> metrics_pb2.NumberDataPoint:
    """One gauge or sum data point."""
    return metrics_pb2.NumberDataPoint(
        start_time_unix_nano=start_ns,
        time_unix_nano=time_ns,
        as_double=value,
        attributes=key_values(attributes or {}),
    )


def histogram_point(
    *,
    time_ns: int,
    bounds: Sequence[float],
    counts: Sequence[int],
    total: float,
    start_ns: int = 0,
    attributes: Mapping[str, str] | None = None,
) -> metrics_pb2.HistogramDataPoint:
    """One explicit-bucket histogram data point."""
    return metrics_pb2.HistogramDataPoint(
        start_time_unix_nano=start_ns,
        time_unix_nano=time_ns,
        count=sum(counts),
        sum=total,
        bucket_counts=list(counts),
        explicit_bounds=list(bounds),
        attributes=key_values(attributes or {}),
    )


def gauge(
    name: str, points: Iterable[metrics_pb2.NumberDataPoint], unit: str = ""
) -> metrics_pb2.Metric:
    """A gauge metric."""
    return metrics_pb2.Metric(name=name, unit=unit, gauge=metrics_pb2.Gauge(data_points=points))


def counter(
    name: str,
    points: Iterable[metrics_pb2.NumberDataPoint],
    *,
    temporality: int,
    unit: str = "",
) -> metrics_pb2.Metric:
    """A monotonic sum (a counter) with the given temporality."""
    return metrics_pb2.Metric(
        name=name,
        unit=unit,
        sum=metrics_pb2.Sum(
            data_points=points,
            aggregation_temporality=temporality,
            is_monotonic=True,
        ),
    )


def histogram(
    name: str,
    points: Iterable[metrics_pb2.HistogramDataPoint],
    *,
    temporality: int,
    unit: str = "",
) -> metrics_pb2.Metric:
    """An explicit-bucket histogram metric with the given temporality."""
    return metrics_pb2.Metric(
        name=name,
        unit=unit,
        histogram=metrics_pb2.Histogram(
            data_points=points,
            aggregation_temporality=temporality,
        ),
    )


def metric_batches(
    metrics_by_service: Mapping[str, Sequence[metrics_pb2.Metric]],
) -> tuple[EncodedBatch, ...]:
    """The batches the real metrics flattener makes of these metrics."""
    request = ExportMetricsServiceRequest()
    for service, metrics in metrics_by_service.items():
        resource_metrics = request.resource_metrics.add()
        resource_metrics.resource.attributes.extend(key_values({"service.name": service}))
        scope_metrics = resource_metrics.scope_metrics.add()
        scope_metrics.scope.name = "tests.store"
        scope_metrics.metrics.extend(metrics)
    decoded = flatten_metrics(request)
    assert decoded.rejected == 0, decoded.rejection_reason
    return decoded.batches
