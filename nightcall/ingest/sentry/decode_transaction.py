"""Sentry transactions → `otel_traces` rows, in the OTLP flattener's column layout.

A transaction is a root span (its `contexts.trace`) with child spans in `spans`. Each becomes
one row with the same columns `nightcall.ingest.otlp.flatten_traces` writes, so the trace query
API reads Sentry and OTel traces alike. Spans without a 32-hex trace id and 16-hex span id are
rejected.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nightcall.ingest.sentry.decode_event import (
    mapping_at,
    service_name,
    tags_of,
    text,
    timestamp_ns,
)

_TRACE_ID = re.compile(r"^[0-9a-f]{32}$")
_SPAN_ID = re.compile(r"^[0-9a-f]{16}$")
# Sentry span status → OTel status code; every status but ok and unknown is a failure.
_OK_STATUSES = {"ok", ""}
_UNSET_STATUSES = {"unknown", "unknown_error"}


def _status(status: str) -> tuple[str, str]:
    if status in _OK_STATUSES:
        return ("Ok" if status else "Unset"), ""
    if status in _UNSET_STATUSES:
        return "Unset", status
    return "Error", status


@dataclass(frozen=True, slots=True, kw_only=True)
class _Origin:
    """What every span of one transaction shares."""

    service: str
    resource: dict[str, str]
    sdk: tuple[str, str]
    received_ns: int


def _row(
    span: Mapping[str, Any], *, trace_id: str, name: str, kind: str, origin: _Origin
) -> list[Any] | None:
    span_id = text(span.get("span_id")).lower()
    if not _TRACE_ID.match(trace_id) or not _SPAN_ID.match(span_id):
        return None
    start_ns = timestamp_ns(span.get("start_timestamp"), default_ns=origin.received_ns)
    end_ns = timestamp_ns(span.get("timestamp"), default_ns=start_ns)
    attributes = {f"sentry.tag.{k}": v for k, v in tags_of(span.get("tags")).items()}
    data = span.get("data")
    if isinstance(data, Mapping):
        attributes.update({str(k): text(v) for k, v in data.items()})
    if span.get("op"):
        attributes["sentry.op"] = text(span["op"])
    if span.get("description"):
        attributes["sentry.description"] = text(span["description"])
    code, message = _status(text(span.get("status")).lower())
    return [
        start_ns, trace_id, span_id, text(span.get("parent_span_id")).lower(), "", name, kind,
        origin.service, origin.resource, origin.sdk[0], origin.sdk[1], attributes,
        max(0, end_ns - start_ns), code, message,
        [], [], [], [], [], [], [],
    ]  # fmt: skip


def transaction_rows(
    event: Mapping[str, Any], *, project_id: str, received_ns: int
) -> tuple[list[list[Any]], int]:
    """The rows of one transaction (root first) and how many of its spans were rejected."""
    trace = mapping_at(mapping_at(event, "contexts"), "trace")
    trace_id = text(trace.get("trace_id")).lower()
    tags = tags_of(event.get("tags"))
    service = service_name(tags, event, project_id)
    resource = {"sentry.project": project_id, "service.name": service}
    for key, field in (("release", "service.version"), ("environment", "deployment.environment")):
        if event.get(key):
            resource[field] = text(event[key])
    sdk_info = mapping_at(event, "sdk")
    sdk = (text(sdk_info.get("name")) or "sentry", text(sdk_info.get("version")))
    root = {
        **trace,
        "start_timestamp": event.get("start_timestamp"),
        "timestamp": event.get("timestamp"),
        "tags": event.get("tags"),
    }
    origin = _Origin(service=service, resource=resource, sdk=sdk, received_ns=received_ns)
    rows: list[list[Any]] = []
    rejected = 0
    name = text(event.get("transaction")) or text(trace.get("op")) or "transaction"
    first = _row(root, trace_id=trace_id, name=name, kind="Server", origin=origin)
    spans = event.get("spans")
    spans = spans if isinstance(spans, list) else []
    for item in [first, *(_child(s, trace_id, origin) for s in spans)]:
        if item is None:
            rejected += 1
        else:
            rows.append(item)
    return rows, rejected


def _child(span: Any, trace_id: str, origin: _Origin) -> list[Any] | None:
    if not isinstance(span, Mapping):
        return None
    own_trace = text(span.get("trace_id")).lower() or trace_id
    name = text(span.get("description")) or text(span.get("op")) or "span"
    return _row(span, trace_id=own_trace, name=name, kind="Internal", origin=origin)
