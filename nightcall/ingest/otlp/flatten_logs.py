"""ExportLogsServiceRequest → one `otel_logs` batch, column by column."""

from __future__ import annotations

from typing import Any

import orjson

from nightcall.ingest.otlp.attributes import any_value_to_str, attributes_to_dict
from nightcall.ingest.otlp.flatten_traces import MAX_TIME_NS, UNKNOWN_SERVICE
from nightcall.model import DecodedRequest, EncodedBatch, Signal

TABLE = "otel_logs"
COLUMNS = ("TsNs", "ObservedTsNs", "TraceId", "SpanId", "TraceFlags", "SeverityText",
           "SeverityNumber", "ServiceName", "ResourceAttributes", "ScopeName", "ScopeVersion",
           "Body", "LogAttributes", "EventName")  # fmt: skip

# OTLP severity numbers 1-24 fall in six named ranges of four.
_SEVERITY_NAMES = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


def severity_text(number: int) -> str:
    """The short severity name for an OTLP severity number, or '' when unset."""
    if 1 <= number <= 24:
        return _SEVERITY_NAMES[(number - 1) // 4]
    return ""


def _is_valid(record: Any) -> bool:
    return (
        len(record.trace_id) in (0, 16)
        and len(record.span_id) in (0, 8)
        and record.time_unix_nano < MAX_TIME_NS > record.observed_time_unix_nano
    )


def flatten_logs(request: Any) -> DecodedRequest:
    """Columns for `otel_logs`; a record with a malformed trace or span id is rejected."""
    columns: list[list[Any]] = [[] for _ in COLUMNS]
    (ts, observed, trace_id, span_id, flags, sev_text, sev_number, service, resource, scope_name,
     scope_version, body, attrs, event_name) = columns  # fmt: skip
    total = 0
    for resource_logs in request.resource_logs:
        resource_attrs = attributes_to_dict(resource_logs.resource.attributes)
        service_name = resource_attrs.get("service.name") or UNKNOWN_SERVICE
        for scope_logs in resource_logs.scope_logs:
            total += len(scope_logs.log_records)
            records = [r for r in scope_logs.log_records if _is_valid(r)]
            count = len(records)
            if not count:
                continue
            observed_ns = [r.observed_time_unix_nano for r in records]
            ts.extend(
                [r.time_unix_nano or seen for r, seen in zip(records, observed_ns, strict=True)]
            )
            observed.extend(observed_ns)
            trace_id.extend([r.trace_id.hex() for r in records])
            span_id.extend([r.span_id.hex() for r in records])
            flags.extend([r.flags for r in records])
            sev_text.extend([r.severity_text or severity_text(r.severity_number) for r in records])
            sev_number.extend([r.severity_number for r in records])
            service.extend([service_name] * count)
            resource.extend([resource_attrs] * count)
            scope_name.extend([scope_logs.scope.name] * count)
            scope_version.extend([scope_logs.scope.version] * count)
            body.extend([r.body.string_value or any_value_to_str(r.body) for r in records])
            attrs.extend([attributes_to_dict(r.attributes) for r in records])
            event_name.extend([getattr(r, "event_name", "") for r in records])
    accepted = len(ts)
    rejected = total - accepted
    return DecodedRequest(
        signal=Signal.LOGS,
        batches=(
            EncodedBatch(
                table=TABLE, columns=COLUMNS, payload=orjson.dumps(columns), rows=accepted
            ),
        )
        if accepted
        else (),
        accepted=accepted,
        rejected=rejected,
        rejection_reason=f"{rejected} log record(s) had a malformed trace or span id, or a time"
        " past 2262-04-11 (the store's last nanosecond)"
        if rejected
        else "",
    )
