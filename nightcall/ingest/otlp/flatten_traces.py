"""ExportTraceServiceRequest → one `otel_traces` batch, built column by column.

Per-span Python is the cost of ingest, so the request is re-read as its raw-field twin (see
`raw_fields`): attributes, status, resource and scope arrive as bytes and are converted once per
distinct value through bounded caches. Each column is then one list comprehension of C-level
look-ups over the spans of a scope, and the whole batch is one `orjson.dumps`.
"""

from __future__ import annotations

from typing import Any

import orjson
from opentelemetry.proto.trace.v1.trace_pb2 import Status

from nightcall.ingest.otlp.attributes import (
    key_value_pair,
    resource_attributes,
    scope_name_version,
)
from nightcall.ingest.otlp.raw_fields import ConvertingCache, RawTracesData
from nightcall.model import DecodedRequest, EncodedBatch, Signal

TABLE = "otel_traces"
# The insert columns, in the order the flattener fills them (the store knows their types).
COLUMNS = ("TsNs", "TraceId", "SpanId", "ParentSpanId", "TraceState", "SpanName", "SpanKind",
           "ServiceName", "ResourceAttributes", "ScopeName", "ScopeVersion", "SpanAttributes",
           "Duration", "StatusCode", "StatusMessage", "Events.Timestamp", "Events.Name",
           "Events.Attributes", "Links.TraceId", "Links.SpanId", "Links.TraceState",
           "Links.Attributes")  # fmt: skip
SPAN_KINDS = ("Unspecified", "Internal", "Server", "Client", "Producer", "Consumer")
STATUS_CODES = ("Unset", "Ok", "Error")
UNKNOWN_SERVICE = "unknown_service"
_ZERO_TRACE_ID = bytes(16)


class _Names(dict[int, str]):
    """Enum number → name, with a default for numbers the spec does not (yet) define."""

    def __init__(self, names: tuple[str, ...]):
        super().__init__(enumerate(names))
        self.default = names[0]

    def __missing__(self, number: int) -> str:
        return self.default


_KIND_NAMES = _Names(SPAN_KINDS)
_STATUS_NAMES = _Names(STATUS_CODES)


def _status(raw: bytes) -> tuple[str, str]:
    status = Status.FromString(raw)
    return _STATUS_NAMES[status.code], status.message


def _resource(raw: bytes) -> tuple[str, orjson.Fragment]:
    """Service name and the resource map, serialized once for every span that shares it."""
    attributes = resource_attributes(raw)
    service = attributes.get("service.name") or UNKNOWN_SERVICE
    return service, orjson.Fragment(orjson.dumps(attributes))


# Sized so a cache stays within a few tens of MB even when every value is distinct.
KEY_VALUES = ConvertingCache(key_value_pair, max_entries=50_000)
_STATUSES = ConvertingCache(_status, max_entries=5_000)
_RESOURCES = ConvertingCache(_resource, max_entries=2_000)
_SCOPES = ConvertingCache(scope_name_version, max_entries=2_000)
_NO_ITEMS: list[Any] = []  # shared by every span without events or links: orjson only reads it


# DateTime64(9) holds signed 64-bit nanoseconds: it ends at 2262-04-11, while OTLP's fixed64
# goes on; a later time would wrap to the past, so it is refused instead.
MAX_TIME_NS = 2**63


def ns_text(unix_ns: int) -> str:
    """Nanoseconds as 'seconds.fraction' text, which DateTime64(9) parses without loss."""
    return f"{unix_ns // 1_000_000_000}.{unix_ns % 1_000_000_000:09d}"


def _attributes(raw_key_values: Any) -> dict[str, str]:
    return dict(map(KEY_VALUES.__getitem__, raw_key_values))


def _events(spans: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    all_events = [s.events for s in spans]
    if not any(all_events):
        empty = [_NO_ITEMS] * len(spans)
        return empty, empty, empty
    times, names, attributes = [], [], []
    for events in all_events:
        times.append([ns_text(e.time_unix_nano) for e in events] if events else _NO_ITEMS)
        names.append([e.name for e in events] if events else _NO_ITEMS)
        attributes.append([_attributes(e.attributes) for e in events] if events else _NO_ITEMS)
    return times, names, attributes


def _links(spans: list[Any]) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    all_links = [s.links for s in spans]
    if not any(all_links):
        empty = [_NO_ITEMS] * len(spans)
        return empty, empty, empty, empty
    columns: tuple[list[Any], list[Any], list[Any], list[Any]] = ([], [], [], [])
    for links in all_links:
        columns[0].append([link.trace_id.hex() for link in links])
        columns[1].append([link.span_id.hex() for link in links])
        columns[2].append([link.trace_state for link in links])
        columns[3].append([_attributes(link.attributes) for link in links])
    return columns


def flatten_traces(request: Any) -> DecodedRequest:
    """Columns for `otel_traces` in its insert order; spans with invalid ids are rejected."""
    raw = RawTracesData.FromString(request.SerializeToString())
    columns: list[list[Any]] = [[] for _ in COLUMNS]
    (ts, trace_id, span_id, parent, state, name, kind, service, resource, scope_name,
     scope_version, attrs, duration, status, status_message, ev_ts, ev_name, ev_attrs,
     link_trace, link_span, link_state, link_attrs) = columns  # fmt: skip
    total = 0
    for resource_spans in raw.resource_spans:
        service_name, resource_json = _RESOURCES[resource_spans.resource]
        for scope_spans in resource_spans.scope_spans:
            spans = list(scope_spans.spans)
            total += len(spans)
            trace_ids = [s.trace_id for s in spans]
            span_ids = [s.span_id for s in spans]
            starts = [s.start_time_unix_nano for s in spans]
            ends = [s.end_time_unix_nano for s in spans]
            valid = [
                len(t) == 16 and len(s) == 8 and t != _ZERO_TRACE_ID and b < MAX_TIME_NS > e
                for t, s, b, e in zip(trace_ids, span_ids, starts, ends, strict=True)
            ]
            if not all(valid):
                spans = [s for s, ok in zip(spans, valid, strict=True) if ok]
                trace_ids = [t for t, ok in zip(trace_ids, valid, strict=True) if ok]
                span_ids = [s for s, ok in zip(span_ids, valid, strict=True) if ok]
                starts = [b for b, ok in zip(starts, valid, strict=True) if ok]
                ends = [e for e, ok in zip(ends, valid, strict=True) if ok]
            count = len(spans)
            if not count:
                continue
            ts.extend(starts)
            trace_id.extend([t.hex() for t in trace_ids])
            span_id.extend([s.hex() for s in span_ids])
            parent.extend([s.parent_span_id.hex() for s in spans])
            state.extend([s.trace_state for s in spans])
            name.extend([s.name for s in spans])
            kind.extend(map(_KIND_NAMES.__getitem__, [s.kind for s in spans]))
            service.extend([service_name] * count)
            resource.extend([resource_json] * count)
            scope = _SCOPES[scope_spans.scope]
            scope_name.extend([scope[0]] * count)
            scope_version.extend([scope[1]] * count)
            attrs.extend([_attributes(s.attributes) for s in spans])
            duration.extend(
                [end - start if end > start else 0 for start, end in zip(starts, ends, strict=True)]
            )
            statuses = list(map(_STATUSES.__getitem__, [s.status for s in spans]))
            status.extend([code for code, _ in statuses])
            status_message.extend([message for _, message in statuses])
            for column, values in zip((ev_ts, ev_name, ev_attrs), _events(spans), strict=True):
                column.extend(values)
            link_columns = (link_trace, link_span, link_state, link_attrs)
            for column, values in zip(link_columns, _links(spans), strict=True):
                column.extend(values)
    accepted = len(ts)
    rejected = total - accepted
    batches = (
        (EncodedBatch(table=TABLE, columns=COLUMNS, payload=orjson.dumps(columns), rows=accepted),)
        if accepted
        else ()
    )
    return DecodedRequest(
        signal=Signal.TRACES,
        batches=batches,
        accepted=accepted,
        rejected=rejected,
        rejection_reason=(
            f"{rejected} span(s) had a trace id that is not 16 non-zero bytes, a span id "
            "that is not 8 bytes, or a time past 2262-04-11 (the store's last nanosecond)"
            if rejected
            else ""
        ),
    )
