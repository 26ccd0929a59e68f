"""Round-trip properties the in-tree test_decode_properties.py does not cover yet (to merge).

- spans encoded by the OTel SDK's own `encode_spans` (every AnyValue type the SDK writes,
  several resources and scopes) come out of decode + flatten value for value;
- hand-built requests with malformed ids (short, long, all-zero trace id) and enum numbers the
  spec lacks: valid spans keep their order and values, the others are counted as rejected.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue,
    ArrayValue,
    InstrumentationScope,
    KeyValue,
    KeyValueList,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource as PbResource
from opentelemetry.proto.trace.v1 import trace_pb2
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope as SdkScope
from opentelemetry.trace import Link, SpanContext, SpanKind, Status, StatusCode, TraceState

from nightcall.ingest.otlp.flatten_traces import COLUMNS, SPAN_KINDS, STATUS_CODES
from nightcall.ingest.otlp.routes import PROTOBUF, decode_otlp
from nightcall.model import DecodedRequest, Signal

ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
UINT64 = st.integers(min_value=0, max_value=2**64 - 1)
INT64_NS = st.integers(min_value=0, max_value=2**63 - 1)  # times the store can hold
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)  # UTF-8 encodable
KEYS = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8)
SCALARS = st.one_of(
    TEXT,
    st.booleans(),
    INT64,
    st.floats(allow_nan=False, allow_infinity=False),
    st.binary(max_size=8),
    st.none(),
)
# Values nested in arrays and key-value lists travel as JSON, which has no NaN or infinity.
ANY_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=6,
)
# A top-level double is stored as its repr, so it may be NaN or infinite.
TOP_VALUES = st.one_of(ANY_VALUES, st.floats())
ATTRIBUTES = st.dictionaries(KEYS, TOP_VALUES, max_size=4)


def _as_json(value: Any) -> Any:
    """A Python attribute value as the JSON value nightcall nests inside arrays and maps."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list | tuple):
        return [_as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    return value


def _matches(stored: str, value: Any) -> bool:
    """Whether a stored attribute string is the documented rendering of `value`."""
    if isinstance(value, list | tuple | dict):
        return bool(orjson.loads(stored) == _as_json(value))
    if value is None:
        return stored == ""
    if isinstance(value, bool):
        return stored == ("true" if value else "false")
    if isinstance(value, float):
        return stored == repr(value)
    if isinstance(value, bytes):
        return stored == base64.b64encode(value).decode()
    return stored == str(value)


def _assert_attributes(stored: dict[str, str], sent: dict[str, Any]) -> None:
    assert set(stored) == set(sent)
    for key, value in sent.items():
        assert _matches(stored[key], value), (key, stored[key], value)


def _rows(decoded: DecodedRequest) -> list[dict[str, Any]]:
    """The flattened trace batch as one dict per row, keyed by column name."""
    if not decoded.batches:
        return []
    (batch,) = decoded.batches
    assert batch.columns == COLUMNS
    columns = orjson.loads(batch.payload)
    assert all(len(column) == batch.rows for column in columns)
    return [dict(zip(COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]


def _ns_text(unix_ns: int) -> str:
    seconds, nanos = divmod(unix_ns, 10**9)
    return f"{seconds}.{nanos:09d}"


# --- through the OTel SDK's encoder ------------------------------------------------------------

_TRACE_IDS = st.integers(min_value=1, max_value=2**128 - 1)
_SPAN_IDS = st.integers(min_value=1, max_value=2**64 - 1)
_STATUSES = st.one_of(
    st.just(Status(StatusCode.UNSET)),
    st.just(Status(StatusCode.OK)),
    TEXT.map(lambda text: Status(StatusCode.ERROR, text)),
)
_TRACE_STATES = st.sampled_from(
    [None, TraceState([("vendor", "a1")]), TraceState([("x", "1"), ("y", "2")])]
)
_RESOURCES = st.sampled_from(
    [
        Resource({"service.name": "checkout", "host.name": "web-1"}),
        Resource({"service.name": "payments", "replicas": 3, "canary": True}),
        Resource({"region": "eu"}),  # no service.name
    ]
)
_SCOPES = st.sampled_from([None, SdkScope("shop.cart", "1.2.0"), SdkScope("db", "")])
_KIND_NAMES = {
    SpanKind.INTERNAL: "Internal",
    SpanKind.SERVER: "Server",
    SpanKind.CLIENT: "Client",
    SpanKind.PRODUCER: "Producer",
    SpanKind.CONSUMER: "Consumer",
}
_STATUS_NAMES = {StatusCode.UNSET: "Unset", StatusCode.OK: "Ok", StatusCode.ERROR: "Error"}


@st.composite
def _sdk_spans(draw: st.DrawFn) -> list[ReadableSpan]:
    spans = []
    for span_id in draw(st.lists(_SPAN_IDS, min_size=1, max_size=4, unique=True)):
        start = draw(st.integers(min_value=0, max_value=2**63 - 1))
        parent = draw(st.one_of(st.none(), _SPAN_IDS))
        trace_id = draw(_TRACE_IDS)
        spans.append(
            ReadableSpan(
                name=draw(TEXT),
                context=SpanContext(
                    trace_id, span_id, is_remote=False, trace_state=draw(_TRACE_STATES)
                ),
                parent=SpanContext(trace_id, parent, is_remote=False) if parent else None,
                resource=draw(_RESOURCES),
                attributes=draw(ATTRIBUTES),
                events=[
                    Event(draw(TEXT), draw(ATTRIBUTES), draw(UINT64))
                    for _ in range(draw(st.integers(0, 2)))
                ],
                links=[
                    Link(
                        SpanContext(draw(_TRACE_IDS), draw(_SPAN_IDS), is_remote=True),
                        draw(ATTRIBUTES),
                    )
                    for _ in range(draw(st.integers(0, 2)))
                ],
                kind=draw(st.sampled_from(list(SpanKind))),
                status=draw(_STATUSES),
                start_time=start,
                end_time=draw(
                    st.one_of(st.integers(min_value=start, max_value=2**63 - 1), INT64_NS)
                ),
                instrumentation_scope=draw(_SCOPES),
            )
        )
    return spans


@ROUND_TRIP
@given(spans=_sdk_spans())
def test_sdk_encoded_spans_flatten_to_the_same_values(spans: list[ReadableSpan]) -> None:
    """Spans encoded by the SDK's `encode_spans` come out of decode and flatten value for value."""
    decoded = decode_otlp(Signal.TRACES, PROTOBUF, encode_spans(spans).SerializeToString())
    assert (decoded.accepted, decoded.rejected, decoded.rejection_reason) == (len(spans), 0, "")
    rows = {row["SpanId"]: row for row in _rows(decoded)}
    assert len(rows) == len(spans)
    for span in spans:
        context = span.get_span_context()
        assert context is not None
        assert span.start_time is not None
        assert span.end_time is not None
        row = rows[f"{context.span_id:016x}"]
        assert row["TsNs"] == span.start_time
        assert row["TraceId"] == f"{context.trace_id:032x}"
        assert row["ParentSpanId"] == (f"{span.parent.span_id:016x}" if span.parent else "")
        assert row["TraceState"] == ",".join(f"{k}={v}" for k, v in context.trace_state.items())
        assert row["SpanName"] == span.name
        assert row["SpanKind"] == _KIND_NAMES[span.kind]
        resource = dict(span.resource.attributes)
        assert row["ServiceName"] == resource.get("service.name", "unknown_service")
        _assert_attributes(row["ResourceAttributes"], resource)
        scope = span.instrumentation_scope
        assert (row["ScopeName"], row["ScopeVersion"]) == (
            (scope.name, scope.version or "") if scope else ("", "")
        )
        _assert_attributes(row["SpanAttributes"], dict(span.attributes or {}))
        assert row["Duration"] == max(0, span.end_time - span.start_time)
        assert row["StatusCode"] == _STATUS_NAMES[span.status.status_code]
        assert row["StatusMessage"] == (span.status.description or "")
        assert row["Events.Timestamp"] == [_ns_text(e.timestamp) for e in span.events]
        assert row["Events.Name"] == [e.name for e in span.events]
        for stored, event in zip(row["Events.Attributes"], span.events, strict=True):
            _assert_attributes(stored, dict(event.attributes or {}))
        assert row["Links.TraceId"] == [f"{link.context.trace_id:032x}" for link in span.links]
        assert row["Links.SpanId"] == [f"{link.context.span_id:016x}" for link in span.links]
        for stored, link in zip(row["Links.Attributes"], span.links, strict=True):
            _assert_attributes(stored, dict(link.attributes or {}))


# --- hand-built requests with malformed ids and unknown enum numbers ---------------------------


def _any_value(value: Any) -> AnyValue:
    if value is None:
        return AnyValue()
    if isinstance(value, bool):
        return AnyValue(bool_value=value)
    if isinstance(value, str):
        return AnyValue(string_value=value)
    if isinstance(value, int):
        return AnyValue(int_value=value)
    if isinstance(value, float):
        return AnyValue(double_value=value)
    if isinstance(value, bytes):
        return AnyValue(bytes_value=value)
    if isinstance(value, list):
        return AnyValue(array_value=ArrayValue(values=[_any_value(v) for v in value]))
    return AnyValue(
        kvlist_value=KeyValueList(
            values=[KeyValue(key=k, value=_any_value(v)) for k, v in value.items()]
        )
    )


def _key_values(attributes: dict[str, Any]) -> list[KeyValue]:
    return [KeyValue(key=k, value=_any_value(v)) for k, v in attributes.items()]


def _python_value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_python_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _python_value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def _attribute_map(key_values: Any) -> dict[str, Any]:
    return {kv.key: _python_value(kv.value) for kv in key_values}


_PB_TRACE_IDS = st.one_of(
    st.binary(min_size=16, max_size=16),
    st.sampled_from([b"", bytes(16), b"\x01" * 15, b"\x01" * 17]),
)
_PB_SPAN_IDS = st.one_of(
    st.binary(min_size=8, max_size=8), st.sampled_from([b"", b"\x02" * 7, b"\x02" * 9])
)


@st.composite
def _pb_span(draw: st.DrawFn) -> trace_pb2.Span:
    return trace_pb2.Span(
        trace_id=draw(_PB_TRACE_IDS),
        span_id=draw(_PB_SPAN_IDS),
        parent_span_id=draw(st.one_of(st.just(b""), st.binary(min_size=8, max_size=8))),
        trace_state=draw(TEXT),
        name=draw(TEXT),
        kind=draw(st.integers(min_value=0, max_value=9)),  # 6-9: numbers the spec lacks
        start_time_unix_nano=draw(UINT64),
        end_time_unix_nano=draw(UINT64),
        attributes=_key_values(draw(ATTRIBUTES)),
        status=trace_pb2.Status(
            code=draw(st.integers(min_value=0, max_value=4)), message=draw(TEXT)
        ),
        events=[
            trace_pb2.Span.Event(
                time_unix_nano=draw(UINT64),
                name=draw(TEXT),
                attributes=_key_values(draw(ATTRIBUTES)),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        links=[
            trace_pb2.Span.Link(
                trace_id=draw(st.binary(min_size=16, max_size=16)),
                span_id=draw(st.binary(min_size=8, max_size=8)),
                trace_state=draw(TEXT),
                attributes=_key_values(draw(ATTRIBUTES)),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
    )


@st.composite
def _pb_request(draw: st.DrawFn) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    for _ in range(draw(st.integers(1, 2))):
        resource_spans = request.resource_spans.add()
        attributes = draw(
            st.one_of(
                st.fixed_dictionaries({"service.name": TEXT}, optional={"k": TOP_VALUES}),
                st.dictionaries(KEYS, TOP_VALUES, max_size=2),
            )
        )
        resource_spans.resource.CopyFrom(PbResource(attributes=_key_values(attributes)))
        for _ in range(draw(st.integers(0, 2))):
            scope_spans = resource_spans.scope_spans.add()
            scope_spans.scope.CopyFrom(InstrumentationScope(name=draw(TEXT), version=draw(TEXT)))
            scope_spans.spans.extend(draw(st.lists(_pb_span(), max_size=3)))
    return request


def _is_valid(span: trace_pb2.Span) -> bool:
    """Well-formed ids, and times the store can hold (before 2262-04-11, i.e. under 2**63 ns)."""
    has_ids = len(span.trace_id) == 16 and span.trace_id != bytes(16) and len(span.span_id) == 8
    return has_ids and span.start_time_unix_nano < 2**63 and span.end_time_unix_nano < 2**63


@ROUND_TRIP
@given(request=_pb_request())
def test_protobuf_spans_round_trip_and_bad_ids_are_rejected(
    request: ExportTraceServiceRequest,
) -> None:
    """Hand-built spans keep every value in order; those with malformed ids are counted out."""
    decoded = decode_otlp(Signal.TRACES, PROTOBUF, request.SerializeToString())
    sent = [
        (resource_spans.resource, scope_spans.scope, span)
        for resource_spans in request.resource_spans
        for scope_spans in resource_spans.scope_spans
        for span in scope_spans.spans
    ]
    valid = [(resource, scope, span) for resource, scope, span in sent if _is_valid(span)]
    assert decoded.accepted == len(valid)
    assert decoded.rejected == len(sent) - len(valid)
    assert bool(decoded.rejection_reason) == bool(decoded.rejected)
    rows = _rows(decoded)
    assert len(rows) == len(valid)
    for row, (resource, scope, span) in zip(rows, valid, strict=True):
        assert row["TsNs"] == span.start_time_unix_nano
        assert row["TraceId"] == span.trace_id.hex()
        assert row["SpanId"] == span.span_id.hex()
        assert row["ParentSpanId"] == span.parent_span_id.hex()
        assert row["TraceState"] == span.trace_state
        assert row["SpanName"] == span.name
        assert row["SpanKind"] == (SPAN_KINDS[span.kind] if span.kind < 6 else "Unspecified")
        _assert_attributes(row["ResourceAttributes"], _attribute_map(resource.attributes))
        stored_service = row["ResourceAttributes"].get("service.name", "")
        assert row["ServiceName"] == (stored_service or "unknown_service")
        assert (row["ScopeName"], row["ScopeVersion"]) == (scope.name, scope.version)
        _assert_attributes(row["SpanAttributes"], _attribute_map(span.attributes))
        start, end = span.start_time_unix_nano, span.end_time_unix_nano
        assert row["Duration"] == (end - start if end > start else 0)
        code = span.status.code
        assert row["StatusCode"] == (STATUS_CODES[code] if code < 3 else "Unset")
        assert row["StatusMessage"] == span.status.message
        assert row["Events.Timestamp"] == [_ns_text(e.time_unix_nano) for e in span.events]
        assert row["Events.Name"] == [e.name for e in span.events]
        for stored, event in zip(row["Events.Attributes"], span.events, strict=True):
            _assert_attributes(stored, _attribute_map(event.attributes))
        assert row["Links.TraceId"] == [link.trace_id.hex() for link in span.links]
        assert row["Links.SpanId"] == [link.span_id.hex() for link in span.links]
        assert row["Links.TraceState"] == [link.trace_state for link in span.links]
        for stored, link in zip(row["Links.Attributes"], span.links, strict=True):
            _assert_attributes(stored, _attribute_map(link.attributes))
