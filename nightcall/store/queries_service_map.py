"""The service map's edges, aggregated in the engine: who calls whom, how often, how well.

An edge between services comes from a self-join of the spans table on TraceId and ParentSpanId
= SpanId, keeping pairs whose services differ: the caller is the parent's service, the callee
the child's, and latency and errors are the child's (the callee's own view of the call). A
CLIENT span without a child that names what it called (`peer.service`, `db.system`,
`server.address`, `net.peer.name`) is an edge to an uninstrumented dependency, a leaf.
"""

from __future__ import annotations

from typing import TypedDict

from nightcall.store.queries_traces import Window
from nightcall.store.schema import TRACES
from nightcall.store.store import Store

# A parent starts before its child: look this far before the window for the callers of spans
# inside it, and this far after it for the children of CLIENT spans inside it.
JOIN_SLACK_NS = 300 * 1_000_000_000

DEPENDENCY_EXPRESSION = """multiIf(
    SpanAttributes['peer.service'] != '', SpanAttributes['peer.service'],
    SpanAttributes['db.system'] != '', SpanAttributes['db.system'],
    SpanAttributes['server.address'] != '', SpanAttributes['server.address'],
    SpanAttributes['net.peer.name'])"""


class EdgeRow(TypedDict):
    """One caller -> callee edge's totals over a window; durations in ns."""

    caller: str
    callee: str
    callee_kind: str  # "service", "database" or "external"
    calls: int
    errors: int
    p50_ns: float
    p95_ns: float


def service_edges(store: Store, window: Window) -> list[EdgeRow]:
    """Every caller -> callee edge of spans starting in `window`, sorted by caller and callee."""
    table = store.table(TRACES.name)
    callers = Window(start_ns=window.start_ns - JOIN_SLACK_NS, end_ns=window.end_ns)
    children = Window(start_ns=window.start_ns, end_ns=window.end_ns + JOIN_SLACK_NS)
    rows = store.select(
        f"""
        SELECT p.ServiceName AS caller, c.ServiceName AS callee, 'service' AS callee_kind,
               count() AS calls, countIf(c.StatusCode = 'Error') AS errors,
               quantiles(0.5, 0.95)(c.Duration) AS q
        FROM (SELECT TraceId, ParentSpanId, ServiceName, StatusCode, Duration FROM {table}
              WHERE {window.sql()} AND ParentSpanId != '') AS c
        INNER JOIN (SELECT TraceId, SpanId, ServiceName FROM {table}
                    WHERE {callers.sql()}) AS p
          ON c.TraceId = p.TraceId AND c.ParentSpanId = p.SpanId
        WHERE p.ServiceName != c.ServiceName
        GROUP BY caller, callee
        UNION ALL
        SELECT ServiceName AS caller, {DEPENDENCY_EXPRESSION} AS callee,
               if(SpanAttributes['db.system'] != '', 'database', 'external') AS callee_kind,
               count() AS calls, countIf(StatusCode = 'Error') AS errors,
               quantiles(0.5, 0.95)(Duration) AS q
        FROM {table}
        WHERE {window.sql()} AND SpanKind = 'Client' AND callee != ''
          AND (TraceId, SpanId) NOT IN (SELECT TraceId, ParentSpanId FROM {table}
                                        WHERE {children.sql()} AND ParentSpanId != '')
        GROUP BY caller, callee, callee_kind
        """
    )
    edges = [
        EdgeRow(
            caller=str(row["caller"]),
            callee=str(row["callee"]),
            callee_kind=str(row["callee_kind"]),
            calls=int(row["calls"]),
            errors=int(row["errors"]),
            p50_ns=float(row["q"][0]),
            p95_ns=float(row["q"][1]),
        )
        for row in rows
    ]
    return sorted(edges, key=lambda e: (e["caller"], e["callee"], e["callee_kind"]))
