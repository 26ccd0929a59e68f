"""Read queries over spans: RED per service, trace search, and one trace by id.

Aggregation runs in the engine; Python only reshapes the reduced rows into the API's records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nightcall.errors import NotFound
from nightcall.model import format_time_ns
from nightcall.store.connection import literal
from nightcall.store.schema import TRACE_ID_TABLE, TRACES
from nightcall.store.store import Store

ENTRY_SPAN = "(SpanKind IN ('Server', 'Consumer') OR ParentSpanId = '')"


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """A half-open time range [start_ns, end_ns)."""

    start_ns: int
    end_ns: int

    @property
    def seconds(self) -> float:
        return max(1e-9, (self.end_ns - self.start_ns) / 1e9)

    def sql(self, column: str = "Timestamp") -> str:
        return (
            f"{column} >= fromUnixTimestamp64Nano({literal(self.start_ns)})"
            f" AND {column} < fromUnixTimestamp64Nano({literal(self.end_ns)})"
        )


def service_red(store: Store, window: Window) -> list[dict[str, Any]]:
    """Rate, errors and duration percentiles of each service's entry spans in `window`."""
    rows = store.select(
        f"""
        SELECT ServiceName AS service,
               count() AS spans,
               countIf(entry) AS requests,
               countIf(entry AND StatusCode = 'Error') AS errors,
               countIf(StatusCode = 'Error') AS error_spans,
               quantilesIf(0.5, 0.95, 0.99)(Duration, entry) AS q
        FROM (SELECT ServiceName, StatusCode, Duration, {ENTRY_SPAN} AS entry
              FROM {store.table(TRACES.name)} WHERE {window.sql()})
        GROUP BY service ORDER BY service
        """
    )
    services = []
    for row in rows:
        requests = int(row["requests"])
        p50, p95, p99 = (float(v) / 1e6 if requests else None for v in row["q"])
        services.append(
            {
                "service": row["service"],
                "requests": requests,
                "request_rate_per_s": requests / window.seconds,
                "errors": int(row["errors"]),
                "error_rate": int(row["errors"]) / requests if requests else 0.0,
                "p50_ms": p50,
                "p95_ms": p95,
                "p99_ms": p99,
                "spans": int(row["spans"]),
                "error_spans": int(row["error_spans"]),
            }
        )
    return services


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceFilter:
    """What `search_traces` matches: spans with these properties, inside the window."""

    window: Window
    service: str | None = None
    operation: str | None = None
    min_duration_ns: int | None = None
    errors_only: bool = False
    attributes: tuple[tuple[str, str], ...] = ()

    def span_conditions(self) -> str:
        parts = [self.window.sql()]
        if self.service:
            parts.append(f"ServiceName = {literal(self.service)}")
        if self.operation:
            parts.append(f"SpanName = {literal(self.operation)}")
        if self.min_duration_ns is not None:
            parts.append(f"Duration >= {literal(self.min_duration_ns)}")
        if self.errors_only:
            parts.append("StatusCode = 'Error'")
        for key, value in self.attributes:
            parts.append(
                f"(SpanAttributes[{literal(key)}] = {literal(value)}"
                f" OR ResourceAttributes[{literal(key)}] = {literal(value)})"
            )
        return " AND ".join(parts)


def search_traces(
    store: Store, query: TraceFilter, *, limit: int, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Traces with a matching span, newest first, and the cursor of the next page."""
    table = store.table(TRACES.name)
    having = ""
    if cursor:
        start_ns, _, trace_id = cursor.partition(":")
        having = f"HAVING (start_ns, trace_id) < ({literal(int(start_ns))}, {literal(trace_id)})"
    rows = store.select(
        f"""
        SELECT TraceId AS trace_id,
               if(countIf(ParentSpanId = '') > 0,
                  argMinIf(ServiceName, Timestamp, ParentSpanId = ''),
                  argMin(ServiceName, Timestamp)) AS root_service,
               if(countIf(ParentSpanId = '') > 0,
                  argMinIf(SpanName, Timestamp, ParentSpanId = ''),
                  argMin(SpanName, Timestamp)) AS root_operation,
               min(toUnixTimestamp64Nano(Timestamp)) AS start_ns,
               max(toUnixTimestamp64Nano(Timestamp) + Duration) AS end_ns,
               count() AS span_count,
               countIf(StatusCode = 'Error') AS error_count,
               arraySort(groupUniqArray(ServiceName)) AS services
        FROM {table}
        WHERE {query.window.sql()}
          AND TraceId IN (SELECT TraceId FROM {table} WHERE {query.span_conditions()})
        GROUP BY TraceId
        {having}
        ORDER BY start_ns DESC, trace_id DESC
        LIMIT {literal(limit + 1)}
        """
    )
    traces = [
        {
            "trace_id": row["trace_id"],
            "root_service": row["root_service"],
            "root_operation": row["root_operation"],
            "start": format_time_ns(int(row["start_ns"])),
            "start_unix_nano": int(row["start_ns"]),
            "duration_ms": (int(row["end_ns"]) - int(row["start_ns"])) / 1e6,
            "span_count": int(row["span_count"]),
            "error_count": int(row["error_count"]),
            "services": row["services"],
        }
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = traces[-1]
        next_cursor = f"{last['start_unix_nano']}:{last['trace_id']}"
    return traces, next_cursor


def get_trace(store: Store, trace_id: str) -> dict[str, Any]:
    """Every span of one trace, in start order, with parent links and resource attributes."""
    trace_id = trace_id.lower()
    bounds = store.select(
        f"""
        SELECT toUnixTimestamp64Nano(min(Start)) AS start_ns,
               toUnixTimestamp64Nano(max(End)) AS end_ns, count() AS n
        FROM {store.table(TRACE_ID_TABLE)} WHERE TraceId = {literal(trace_id)}
        """
    )
    if not bounds or int(bounds[0]["n"]) == 0:
        raise NotFound(
            f"no trace with id {trace_id!r} is stored",
            location="trace_id",
            hint="trace ids are 32 lowercase hex digits; list recent ones with `nightcall traces`",
        )
    window = Window(start_ns=int(bounds[0]["start_ns"]), end_ns=int(bounds[0]["end_ns"]) + 1)
    rows = store.select(
        f"""
        SELECT TraceId, SpanId, ParentSpanId, TraceState, SpanName, SpanKind, ServiceName,
               ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, Duration, StatusCode,
               StatusMessage, toUnixTimestamp64Nano(Timestamp) AS start_ns,
               arrayMap(t -> toUnixTimestamp64Nano(t), `Events.Timestamp`) AS event_ns,
               `Events.Name` AS event_names, `Events.Attributes` AS event_attributes,
               `Links.TraceId` AS link_trace, `Links.SpanId` AS link_span,
               `Links.TraceState` AS link_state, `Links.Attributes` AS link_attributes
        FROM {store.table(TRACES.name)}
        WHERE TraceId = {literal(trace_id)} AND {window.sql()}
        ORDER BY start_ns, SpanId
        """
    )
    spans = [_span_record(row) for row in rows]
    start = min(s["start_unix_nano"] for s in spans)
    end = max(s["start_unix_nano"] + s["duration_ns"] for s in spans)
    return {
        "trace_id": trace_id,
        "start": format_time_ns(start),
        "start_unix_nano": start,
        "duration_ms": (end - start) / 1e6,
        "span_count": len(spans),
        "services": sorted({s["service"] for s in spans}),
        "spans": spans,
    }


def _span_record(row: dict[str, Any]) -> dict[str, Any]:
    start_ns = int(row["start_ns"])
    duration_ns = int(row["Duration"])
    return {
        "trace_id": row["TraceId"],
        "span_id": row["SpanId"],
        "parent_span_id": row["ParentSpanId"] or None,
        "trace_state": row["TraceState"],
        "name": row["SpanName"],
        "kind": row["SpanKind"],
        "service": row["ServiceName"],
        "start": format_time_ns(start_ns),
        "start_unix_nano": start_ns,
        "end_unix_nano": start_ns + duration_ns,
        "duration_ns": duration_ns,
        "duration_ms": duration_ns / 1e6,
        "status_code": row["StatusCode"],
        "status_message": row["StatusMessage"],
        "attributes": row["SpanAttributes"],
        "resource": row["ResourceAttributes"],
        "scope": {"name": row["ScopeName"], "version": row["ScopeVersion"]},
        "events": [
            {
                "time": format_time_ns(int(ns)),
                "time_unix_nano": int(ns),
                "name": name,
                "attributes": attrs,
            }
            for ns, name, attrs in zip(
                row["event_ns"], row["event_names"], row["event_attributes"], strict=True
            )
        ],
        "links": [
            {"trace_id": t, "span_id": s, "trace_state": st, "attributes": a}
            for t, s, st, a in zip(
                row["link_trace"],
                row["link_span"],
                row["link_state"],
                row["link_attributes"],
                strict=True,
            )
        ],
    }
