"""Two bounded cohorts of one operation's traces: the slowest ones and a baseline of the rest.

The engine ranks the traces: each trace's latency is the longest span of the operation in it,
the threshold is the `slow_percentile` of those latencies, and at most `max_traces` are taken
from each side (the slowest of the slow; a hash-ordered, so repeatable, sample of the rest).
Then the spans of the chosen traces are fetched, with resource attributes folded into each
span's attributes so a comparison can see `cloud.region` as well as `db.system`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nightcall.store.connection import literal
from nightcall.store.queries_service_map import JOIN_SLACK_NS
from nightcall.store.queries_traces import Window
from nightcall.store.schema import TRACES
from nightcall.store.store import Store


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceCohorts:
    """The spans of each chosen trace, by trace id, for the slow and the baseline cohort."""

    threshold_ns: int
    traces_seen: int
    slow: dict[str, list[dict[str, Any]]]
    baseline: dict[str, list[dict[str, Any]]]


def fetch_cohorts(
    store: Store,
    window: Window,
    *,
    service: str,
    operation: str,
    slow_percentile: float,
    max_traces: int,
) -> TraceCohorts:
    """The slow and baseline traces of `service`'s `operation` in `window`, spans included."""
    table = store.table(TRACES.name)
    chosen = store.select(
        f"""
        WITH per_trace AS (
            SELECT TraceId, max(Duration) AS latency FROM {table}
            WHERE {window.sql()} AND ServiceName = {literal(service)}
              AND SpanName = {literal(operation)}
            GROUP BY TraceId)
        SELECT TraceId AS trace_id, latency,
               latency >= (SELECT quantileExact({literal(slow_percentile / 100)})(latency)
                           FROM per_trace) AS is_slow,
               (SELECT count() FROM per_trace) AS seen,
               (SELECT quantileExact({literal(slow_percentile / 100)})(latency)
                FROM per_trace) AS threshold
        FROM per_trace
        ORDER BY is_slow DESC, if(is_slow, -latency, 0), cityHash64(TraceId), TraceId
        LIMIT {literal(max_traces)} BY is_slow
        """
    )
    slow_ids = [str(r["trace_id"]) for r in chosen if r["is_slow"]]
    baseline_ids = [str(r["trace_id"]) for r in chosen if not r["is_slow"]]
    spans = _spans_of(store, window, slow_ids + baseline_ids)
    return TraceCohorts(
        threshold_ns=int(chosen[0]["threshold"]) if chosen else 0,
        traces_seen=int(chosen[0]["seen"]) if chosen else 0,
        slow={t: spans.get(t, []) for t in slow_ids},
        baseline={t: spans.get(t, []) for t in baseline_ids},
    )


def _spans_of(
    store: Store, window: Window, trace_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    if not trace_ids:
        return {}
    around = Window(start_ns=window.start_ns - JOIN_SLACK_NS, end_ns=window.end_ns + JOIN_SLACK_NS)
    ids = ", ".join(literal(t) for t in trace_ids)
    rows = store.select(
        f"""
        SELECT TraceId, SpanId, ParentSpanId, ServiceName, SpanName, SpanKind, Duration,
               StatusCode, StatusMessage, toUnixTimestamp64Nano(Timestamp) AS start_ns,
               mapUpdate(ResourceAttributes, SpanAttributes) AS attributes
        FROM {store.table(TRACES.name)}
        WHERE {around.sql()} AND TraceId IN ({ids})
        ORDER BY TraceId, start_ns, SpanId
        """
    )
    by_trace: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        start_ns = int(row["start_ns"])
        by_trace.setdefault(str(row["TraceId"]), []).append(
            {
                "span_id": row["SpanId"],
                "parent_span_id": row["ParentSpanId"] or None,
                "service": row["ServiceName"],
                "name": row["SpanName"],
                "kind": row["SpanKind"],
                "start_unix_nano": start_ns,
                "end_unix_nano": start_ns + int(row["Duration"]),
                "duration_ns": int(row["Duration"]),
                "status_code": row["StatusCode"],
                "status_message": row["StatusMessage"],
                "attributes": dict(row["attributes"]),
            }
        )
    return by_trace
