"""Pure builders of OTLP export requests (the official protobuf classes) from plain values.

The simulation describes spans, log records and metric points with explicit timestamps; these
functions group them by resource and serialize the three `Export*ServiceRequest`s exactly as an
SDK's OTLP/HTTP exporter would put them on the wire.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, InstrumentationScope, KeyValue
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord
from opentelemetry.proto.metrics.v1.metrics_pb2 import (
    AGGREGATION_TEMPORALITY_CUMULATIVE,
    Gauge,
    Histogram,
    HistogramDataPoint,
    Metric,
    NumberDataPoint,
    Sum,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from nightcall.demo.signals import SCOPE_NAME, UNITS

AttrValue = str | int | float | bool
Attrs = Mapping[str, AttrValue]
ResourceKey = tuple[tuple[str, AttrValue], ...]

SPAN_KIND = {
    "server": Span.SPAN_KIND_SERVER,
    "client": Span.SPAN_KIND_CLIENT,
    "internal": Span.SPAN_KIND_INTERNAL,
}
SEVERITY = {"DEBUG": 5, "INFO": 9, "WARN": 13, "ERROR": 17, "FATAL": 21}


def any_value(value: AttrValue) -> AnyValue:
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    return AnyValue(string_value=value)


def key_values(attrs: Attrs) -> list[KeyValue]:
    return [KeyValue(key=k, value=any_value(v)) for k, v in attrs.items()]


def resource_key(attrs: Attrs) -> ResourceKey:
    """A hashable identity of a resource, for grouping items under it."""
    return tuple(sorted(attrs.items()))


def make_span(
    *,
    trace_id: bytes,
    span_id: bytes,
    parent_span_id: bytes,
    name: str,
    kind: str,
    start_ns: int,
    end_ns: int,
    attrs: Attrs,
    error: str | None = None,
    exception_type: str | None = None,
) -> Span:
    """One span; an error sets the status and, as instrumentations do, an `exception` event."""
    span = Span(
        trace_id=trace_id,
        span_id=span_id,
        parent_span_id=parent_span_id,
        name=name,
        kind=SPAN_KIND[kind],
        start_time_unix_nano=start_ns,
        end_time_unix_nano=end_ns,
        attributes=key_values(attrs),
        flags=0x100 | (0x200 if parent_span_id and kind == "server" else 0),
    )
    if error is not None:
        span.status.CopyFrom(Status(code=Status.STATUS_CODE_ERROR, message=error))
        if exception_type:
            event = span.events.add(time_unix_nano=end_ns, name="exception")
            event.attributes.extend(
                key_values({"exception.type": exception_type, "exception.message": error})
            )
    return span


def make_log(
    *,
    time_ns: int,
    severity: str,
    body: str,
    attrs: Attrs,
    trace_id: bytes = b"",
    span_id: bytes = b"",
) -> LogRecord:
    return LogRecord(
        time_unix_nano=time_ns,
        observed_time_unix_nano=time_ns,
        severity_number=SEVERITY[severity],  # type: ignore[arg-type]  # protobuf enum int
        severity_text=severity,
        body=AnyValue(string_value=body),
        attributes=key_values(attrs),
        trace_id=trace_id,
        span_id=span_id,
    )


@dataclass(slots=True)
class Grouped:
    """Items of one signal grouped by the resource that emitted them, in arrival order."""

    resources: dict[ResourceKey, dict[str, AttrValue]] = field(default_factory=dict)
    items: dict[ResourceKey, list[object]] = field(default_factory=dict)

    def add(self, resource: Attrs, item: object) -> None:
        key = resource_key(resource)
        if key not in self.resources:
            self.resources[key] = dict(resource)
            self.items[key] = []
        self.items[key].append(item)

    def __len__(self) -> int:
        return sum(len(v) for v in self.items.values())

    def clear(self) -> None:
        self.resources.clear()
        self.items.clear()


def _scope() -> InstrumentationScope:
    return InstrumentationScope(name=SCOPE_NAME, version="1")


def encode_traces(grouped: Grouped) -> bytes:
    request = ExportTraceServiceRequest()
    for key, attrs in grouped.resources.items():
        rs = request.resource_spans.add(resource=Resource(attributes=key_values(attrs)))
        rs.scope_spans.add(scope=_scope()).spans.extend(grouped.items[key])  # type: ignore[arg-type]
    return request.SerializeToString()


def encode_logs(grouped: Grouped) -> bytes:
    request = ExportLogsServiceRequest()
    for key, attrs in grouped.resources.items():
        rl = request.resource_logs.add(resource=Resource(attributes=key_values(attrs)))
        rl.scope_logs.add(scope=_scope()).log_records.extend(grouped.items[key])  # type: ignore[arg-type]
    return request.SerializeToString()


def encode_metrics(grouped: Grouped) -> bytes:
    request = ExportMetricsServiceRequest()
    for key, attrs in grouped.resources.items():
        rm = request.resource_metrics.add(resource=Resource(attributes=key_values(attrs)))
        rm.scope_metrics.add(scope=_scope()).metrics.extend(grouped.items[key])  # type: ignore[arg-type]
    return request.SerializeToString()


def gauge(name: str, time_ns: int, points: Iterable[tuple[Attrs, float]]) -> Metric:
    data = [
        NumberDataPoint(time_unix_nano=time_ns, as_double=v, attributes=key_values(a))
        for a, v in points
    ]
    return Metric(name=name, unit=UNITS[name], gauge=Gauge(data_points=data))


def cumulative_sum(
    name: str,
    start_ns: int,
    time_ns: int,
    points: Iterable[tuple[Attrs, float]],
    *,
    monotonic: bool,
) -> Metric:
    data = [
        NumberDataPoint(
            start_time_unix_nano=start_ns,
            time_unix_nano=time_ns,
            as_double=v,
            attributes=key_values(a),
        )
        for a, v in points
    ]
    return Metric(
        name=name,
        unit=UNITS[name],
        sum=Sum(
            data_points=data,
            aggregation_temporality=AGGREGATION_TEMPORALITY_CUMULATIVE,
            is_monotonic=monotonic,
        ),
    )


def histogram(
    name: str,
    start_ns: int,
    time_ns: int,
    bounds: Sequence[float],
    points: Iterable[tuple[Attrs, Sequence[int], float]],
) -> Metric:
    """A cumulative explicit-bucket histogram; each point is (attributes, bucket counts, sum)."""
    data = [
        HistogramDataPoint(
            start_time_unix_nano=start_ns,
            time_unix_nano=time_ns,
            count=sum(counts),
            sum=total,
            bucket_counts=list(counts),
            explicit_bounds=list(bounds),
            attributes=key_values(a),
        )
        for a, counts, total in points
    ]
    return Metric(
        name=name,
        unit=UNITS[name],
        histogram=Histogram(
            data_points=data, aggregation_temporality=AGGREGATION_TEMPORALITY_CUMULATIVE
        ),
    )
