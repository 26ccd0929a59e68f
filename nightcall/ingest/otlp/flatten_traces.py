"""ExportTraceServiceRequest → one `otel_traces` batch, built column by column.

Per-span Python is the cost of ingest, so each column is one list comprehension over the spans
of a scope (C-level iteration over upb messages) and the whole batch is one `orjson.dumps`.
"""

from __future__ import annotations

from typing import Any

import orjson

from nightcall.ingest.otlp.attributes import attributes_to_dict
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


def _kind_name(kind: int) -> str:
    return SPAN_KINDS[kind] if 0 <= kind < len(SPAN_KINDS) else "Unspecified"


def _status_name(code: int) -> str:
    return STATUS_CODES[code] if 0 <= code < len(STATUS_CODES) else "Unset"


def ns_text(unix_ns: int) -> str:
    """Nanoseconds as 'seconds.fraction' text, which DateTime64(9) parses without loss."""
    return f"{unix_ns // 1_000_000_000}.{unix_ns % 1_000_000_000:09d}"


def _events(span: Any) -> tuple[list[str], list[str], list[dict[str, str]]]:
    events = span.events
    return (
        [ns_text(e.time_unix_nano) for e in events],
        [e.name for e in events],
        [attributes_to_dict(e.attributes) for e in events],
    )


def _links(span: Any) -> tuple[list[str], list[str], list[str], list[dict[str, str]]]:
    links = span.links
    return (
        [link.trace_id.hex() for link in links],
        [link.span_id.hex() for link in links],
        [link.trace_state for link in links],
        [attributes_to_dict(link.attributes) for link in links],
    )


def _is_valid(span: Any) -> bool:
    return len(span.trace_id) == 16 and len(span.span_id) == 8 and any(span.trace_id)


def flatten_traces(request: Any) -> DecodedRequest:
    """Columns for `otel_traces` in its insert order; spans with invalid ids are rejected."""
    columns: list[list[Any]] = [[] for _ in COLUMNS]
    (ts, trace_id, span_id, parent, state, name, kind, service, resource, scope_name,
     scope_version, attrs, duration, status, status_message, ev_ts, ev_name, ev_attrs,
     link_trace, link_span, link_state, link_attrs) = columns  # fmt: skip
    total = 0
    for resource_spans in request.resource_spans:
        resource_attrs = attributes_to_dict(resource_spans.resource.attributes)
        service_name = resource_attrs.get("service.name") or UNKNOWN_SERVICE
        for scope_spans in resource_spans.scope_spans:
            all_spans = scope_spans.spans
            total += len(all_spans)
            spans = [s for s in all_spans if _is_valid(s)]
            count = len(spans)
            if not count:
                continue
            ts.extend([s.start_time_unix_nano for s in spans])
            trace_id.extend([s.trace_id.hex() for s in spans])
            span_id.extend([s.span_id.hex() for s in spans])
            parent.extend([s.parent_span_id.hex() for s in spans])
            state.extend([s.trace_state for s in spans])
            name.extend([s.name for s in spans])
            kind.extend([_kind_name(s.kind) for s in spans])
            service.extend([service_name] * count)
            resource.extend([resource_attrs] * count)
            scope_name.extend([scope_spans.scope.name] * count)
            scope_version.extend([scope_spans.scope.version] * count)
            attrs.extend([attributes_to_dict(s.attributes) for s in spans])
            duration.extend([max(0, s.end_time_unix_nano - s.start_time_unix_nano) for s in spans])
            status.extend([_status_name(s.status.code) for s in spans])
            status_message.extend([s.status.message for s in spans])
            for span in spans:
                if span.events:
                    e_ts, e_name, e_attrs = _events(span)
                else:
                    e_ts, e_name, e_attrs = [], [], []
                ev_ts.append(e_ts)
                ev_name.append(e_name)
                ev_attrs.append(e_attrs)
                if span.links:
                    l_trace, l_span, l_state, l_attrs = _links(span)
                else:
                    l_trace, l_span, l_state, l_attrs = [], [], [], []
                link_trace.append(l_trace)
                link_span.append(l_span)
                link_state.append(l_state)
                link_attrs.append(l_attrs)
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
            f"{rejected} span(s) had a trace id that is not 16 non-zero bytes or a span id "
            "that is not 8 bytes"
            if rejected
            else ""
        ),
    )
