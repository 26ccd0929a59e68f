"""Log records made by nightcall's own sources (probe failures) → one `otel_logs` batch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum

import orjson

from nightcall.ingest.metric_points import MetricResource
from nightcall.model import DecodedRequest, EncodedBatch, Signal

TABLE = "otel_logs"
COLUMNS = ("TsNs", "ObservedTsNs", "TraceId", "SpanId", "TraceFlags", "SeverityText",
           "SeverityNumber", "ServiceName", "ResourceAttributes", "ScopeName", "ScopeVersion",
           "Body", "LogAttributes", "EventName")  # fmt: skip


class Severity(IntEnum):
    """OTLP severity numbers (the first of each named range)."""

    INFO = 9
    WARN = 13
    ERROR = 17


@dataclass(frozen=True, slots=True, kw_only=True)
class LogRecord:
    """One log line with its severity, resource and attributes."""

    resource: MetricResource
    time_ns: int
    severity: Severity
    body: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    event_name: str = ""


def encode_log_records(records: Iterable[LogRecord]) -> DecodedRequest:
    """Columns for `otel_logs`, in the layout the OTLP flattener writes."""
    columns: list[list[object]] = [[] for _ in COLUMNS]
    count = 0
    for record in records:
        count += 1
        resource = record.resource
        row: tuple[object, ...] = (
            record.time_ns, record.time_ns, "", "", 0, record.severity.name,
            int(record.severity), resource.service, dict(resource.attributes),
            resource.scope_name, resource.scope_version, record.body, dict(record.attributes),
            record.event_name,
        )  # fmt: skip
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    batches = (
        (EncodedBatch(table=TABLE, columns=COLUMNS, payload=orjson.dumps(columns), rows=count),)
        if count
        else ()
    )
    return DecodedRequest(signal=Signal.LOGS, batches=batches, accepted=count)
