"""Property tests of the OTLP codecs: bad bytes raise only DecodeError, and spans round-trip."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import orjson
import pytest
from google.protobuf import json_format
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue,
    ArrayValue,
    KeyValue,
    KeyValueList,
)
from opentelemetry.proto.trace.v1 import trace_pb2

from nightcall.errors import DecodeError, PayloadTooLarge, UnsupportedMediaType
from nightcall.ingest.body import decompress
from nightcall.ingest.otlp.decode import decode_json, decode_protobuf
from nightcall.ingest.otlp.flatten_logs import flatten_logs
from nightcall.ingest.otlp.flatten_metrics import flatten_metrics
from nightcall.ingest.otlp.flatten_traces import COLUMNS, flatten_traces, ns_text
from nightcall.model import Signal

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FLATTEN = {
    Signal.TRACES: flatten_traces,
    Signal.METRICS: flatten_metrics,
    Signal.LOGS: flatten_logs,
}
signals = st.sampled_from(list(Signal.__members__.values())).filter(lambda s: s in FLATTEN)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
# Documents shaped like OTLP, with any values where the schema wants particular ones.
SPAN_KEYS = ("traceId", "spanId", "parentSpanId", "name", "kind", "attributes",
             "startTimeUnixNano", "status", "events", "links")  # fmt: skip
json_spans = st.dictionaries(st.sampled_from(SPAN_KEYS), json_values, max_size=4)
json_scope_spans = st.fixed_dictionaries({}, optional={"spans": st.lists(json_spans, max_size=2)})
json_resource_spans = st.fixed_dictionaries(
    {}, optional={"resource": json_values, "scopeSpans": st.lists(json_scope_spans, max_size=2)}
)
otlp_like = st.fixed_dictionaries(
    {},
    optional={
        "resourceSpans": st.lists(json_resource_spans, max_size=2),
        "resourceMetrics": json_values,
        "resourceLogs": json_values,
    },
)


@FAST
@given(signal=signals, body=st.binary(max_size=200))
def test_random_protobuf_bytes_raise_only_decode_error(signal: Signal, body: bytes) -> None:
    """Random bytes either decode and flatten, or raise DecodeError; nothing else escapes."""
    try:
        message = decode_protobuf(signal, body)
    except DecodeError:
        return
    FLATTEN[signal](message)


@FAST
@given(signal=signals, body=st.binary(max_size=200) | st.text(max_size=50).map(str.encode))
def test_random_json_bytes_raise_only_decode_error(signal: Signal, body: bytes) -> None:
    """Random bytes sent as OTLP/JSON either decode or raise DecodeError."""
    try:
        message = decode_json(signal, body)
    except DecodeError:
        return
    FLATTEN[signal](message)


@FAST
@given(signal=signals, document=otlp_like | json_values)
def test_json_of_wrong_types_raises_only_decode_error(signal: Signal, document: Any) -> None:
    """JSON documents with values of any type in OTLP's fields decode or raise DecodeError."""
    try:
        message = decode_json(signal, orjson.dumps(document))
    except DecodeError:
        return
    FLATTEN[signal](message)


@FAST
@given(
    encoding=st.sampled_from(["gzip", "deflate", "identity", None, "br"]),
    body=st.binary(max_size=200),
)
def test_random_compressed_bytes_raise_only_documented_errors(
    encoding: str | None, body: bytes
) -> None:
    """decompress raises only DecodeError, PayloadTooLarge or (for br) UnsupportedMediaType."""
    try:
        data = decompress(body, encoding, max_bytes=1024)
    except UnsupportedMediaType:
        assert encoding == "br"
    except (DecodeError, PayloadTooLarge):
        assert encoding in ("gzip", "deflate")
    else:
        assert len(data) <= 1024
        if encoding in ("identity", None):
            assert data == body


def test_deeply_nested_json_is_a_decode_error() -> None:
    """A JSON document nested past the parser's limits is a DecodeError, not a crash."""
    deep = b'{"resourceSpans": [{"resource": {"attributes": [{"value": ' + (
        b'{"arrayValue": {"values": [' * 300
    )
    deep += b"]}}" * 300 + b"}]}}]}"
    with pytest.raises(DecodeError):
        decode_json(Signal.TRACES, deep)


# --- round trip: generated spans → protobuf → decode → flatten → the same values -----------------

texts = st.text(max_size=12)
int64s = st.integers(min_value=-(2**63), max_value=2**63 - 1)
uint64s = st.integers(min_value=0, max_value=2**63 - 1)
doubles = st.floats(allow_nan=False, allow_infinity=False)
scalar_values = st.one_of(
    texts.map(lambda v: AnyValue(string_value=v)),
    st.booleans().map(lambda v: AnyValue(bool_value=v)),
    int64s.map(lambda v: AnyValue(int_value=v)),
    doubles.map(lambda v: AnyValue(double_value=v)),
    st.binary(max_size=8).map(lambda v: AnyValue(bytes_value=v)),
    st.just(AnyValue()),
)
any_values = st.recursive(
    scalar_values,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: AnyValue(array_value=ArrayValue(values=v))),
        st.dictionaries(texts, inner, max_size=3).map(
            lambda d: AnyValue(
                kvlist_value=KeyValueList(values=[KeyValue(key=k, value=v) for k, v in d.items()])
            )
        ),
    ),
    max_leaves=6,
)
attribute_maps = st.dictionaries(texts, any_values, max_size=4)
trace_ids = st.binary(min_size=16, max_size=16).filter(any)
span_ids = st.binary(min_size=8, max_size=8)


def _key_values(attributes: dict[str, AnyValue]) -> list[KeyValue]:
    return [KeyValue(key=k, value=v) for k, v in attributes.items()]


def _python(value: AnyValue) -> Any:
    """What an AnyValue means as plain JSON (written here from the spec, not from our code)."""
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_python(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _python(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode()
    return None if kind is None else getattr(value, kind)


def _assert_stored(stored: str, value: AnyValue) -> None:
    kind = value.WhichOneof("value")
    if kind in ("array_value", "kvlist_value"):
        assert json.loads(stored) == _python(value)
    elif kind == "double_value":
        assert float(stored) == value.double_value
    elif kind == "bool_value":
        assert stored == ("true" if value.bool_value else "false")
    elif kind is None:
        assert stored == ""
    else:
        assert stored == str(_python(value))


def _assert_attributes(stored: dict[str, str], attributes: dict[str, AnyValue]) -> None:
    assert set(stored) == set(attributes)
    for key, value in attributes.items():
        _assert_stored(stored[key], value)


events = st.builds(
    trace_pb2.Span.Event,
    time_unix_nano=uint64s,
    name=texts,
    attributes=attribute_maps.map(_key_values),
)
links = st.builds(
    trace_pb2.Span.Link,
    trace_id=trace_ids,
    span_id=span_ids,
    trace_state=texts,
    attributes=attribute_maps.map(_key_values),
)


@st.composite
def spans(draw: st.DrawFn) -> tuple[trace_pb2.Span, dict[str, Any]]:
    """A span message and the attribute maps it was built from."""
    attributes = draw(attribute_maps)
    event_list = draw(st.lists(events, max_size=2))
    span = trace_pb2.Span(
        trace_id=draw(trace_ids),
        span_id=draw(span_ids),
        parent_span_id=draw(st.just(b"") | span_ids),
        trace_state=draw(texts),
        name=draw(texts),
        kind=draw(st.integers(min_value=0, max_value=5)),
        start_time_unix_nano=draw(uint64s),
        end_time_unix_nano=draw(uint64s),
        attributes=_key_values(attributes),
        events=event_list,
        links=draw(st.lists(links, max_size=2)),
        status=trace_pb2.Status(code=draw(st.integers(0, 2)), message=draw(texts)),
    )
    return span, attributes


def _hex_ids(node: Any) -> Any:
    """Protobuf's canonical JSON (base64 ids) → the OTLP/JSON mapping (hex ids)."""
    if isinstance(node, dict):
        return {
            k: base64.b64decode(v).hex()
            if k in ("traceId", "spanId", "parentSpanId")
            else _hex_ids(v)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_hex_ids(item) for item in node]
    return node


KINDS = ("Unspecified", "Internal", "Server", "Client", "Producer", "Consumer")
STATUSES = ("Unset", "Ok", "Error")


@FAST
@given(
    generated=st.lists(spans(), min_size=1, max_size=3),
    resource=st.dictionaries(texts, any_values, max_size=3),
    service=texts,
    as_json=st.booleans(),
)
def test_spans_round_trip_through_decode_and_flatten(
    generated: list[tuple[trace_pb2.Span, dict[str, Any]]],
    resource: dict[str, AnyValue],
    service: str,
    as_json: bool,
) -> None:
    """Generated spans, encoded as protobuf or OTLP/JSON, flatten to columns of the same values."""
    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.extend(
        _key_values({**resource, "service.name": AnyValue(string_value=service)})
    )
    scope_spans = resource_spans.scope_spans.add()
    scope_spans.scope.name = "prop"
    scope_spans.scope.version = "9"
    scope_spans.spans.extend(span for span, _ in generated)
    if as_json:
        body = orjson.dumps(_hex_ids(json_format.MessageToDict(request)))
        message = decode_json(Signal.TRACES, body)
    else:
        message = decode_protobuf(Signal.TRACES, request.SerializeToString())
    decoded = flatten_traces(message)
    assert (decoded.accepted, decoded.rejected) == (len(generated), 0)
    (batch,) = decoded.batches
    assert batch.rows == len(generated)
    columns = dict(zip(COLUMNS, orjson.loads(batch.payload), strict=True))
    for row, (span, attributes) in enumerate(generated):
        value = {name: column[row] for name, column in columns.items()}
        assert value["TsNs"] == span.start_time_unix_nano
        assert value["TraceId"] == span.trace_id.hex()
        assert value["SpanId"] == span.span_id.hex()
        assert value["ParentSpanId"] == span.parent_span_id.hex()
        assert value["TraceState"] == span.trace_state
        assert value["SpanName"] == span.name
        assert value["SpanKind"] == KINDS[span.kind]
        assert value["ServiceName"] == (service or "unknown_service")
        assert value["ScopeName"] == "prop"
        assert value["ScopeVersion"] == "9"
        _assert_attributes(value["SpanAttributes"], attributes)
        _assert_attributes(
            value["ResourceAttributes"],
            {**resource, "service.name": AnyValue(string_value=service)},
        )
        assert value["Duration"] == max(0, span.end_time_unix_nano - span.start_time_unix_nano)
        assert value["StatusCode"] == STATUSES[span.status.code]
        assert value["StatusMessage"] == span.status.message
        assert value["Events.Timestamp"] == [ns_text(e.time_unix_nano) for e in span.events]
        assert value["Events.Name"] == [e.name for e in span.events]
        assert len(value["Events.Attributes"]) == len(span.events)
        for stored, event in zip(value["Events.Attributes"], span.events, strict=True):
            _assert_attributes(stored, {kv.key: kv.value for kv in event.attributes})
        assert value["Links.TraceId"] == [link.trace_id.hex() for link in span.links]
        assert value["Links.SpanId"] == [link.span_id.hex() for link in span.links]
        assert value["Links.TraceState"] == [link.trace_state for link in span.links]
        for stored, link in zip(value["Links.Attributes"], span.links, strict=True):
            _assert_attributes(stored, {kv.key: kv.value for kv in link.attributes})


def test_ns_text_is_exact() -> None:
    """Nanosecond text keeps all nine fraction digits."""
    assert ns_text(1_700_000_000_000_000_001) == "1700000000.000000001"
    assert math.isclose(float(ns_text(5)), 5e-9)
