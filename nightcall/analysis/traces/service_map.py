"""The service map: nodes and caller -> callee edges with rate, error rate and latency.

The edges arrive already aggregated by the store (`service_edges`); this only shapes them into
records and derives the nodes, so a map over a day of spans costs the same as one over a
minute here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nightcall.store.queries_service_map import EdgeRow


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceEdge:
    """Calls from `caller` to `callee` over the window."""

    caller: str
    callee: str
    calls: int
    errors: int
    rate_per_s: float
    error_rate: float
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceNode:
    """A service (instrumented) or a dependency seen only from its callers (a leaf)."""

    name: str
    kind: str  # "service", "database" or "external"
    calls_in: int
    errors_in: int
    calls_out: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceMap:
    """Nodes sorted by name, edges by caller then callee."""

    nodes: tuple[ServiceNode, ...]
    edges: tuple[ServiceEdge, ...]


def build_service_map(rows: Iterable[EdgeRow], *, window_s: float) -> ServiceMap:
    """The map of the store's edge rows over a window of `window_s` seconds."""
    seconds = max(window_s, 1e-9)
    kinds: dict[str, str] = {}
    calls_in: dict[str, int] = {}
    errors_in: dict[str, int] = {}
    calls_out: dict[str, int] = {}
    edges = []
    for row in rows:
        caller, callee, calls, errors = row["caller"], row["callee"], row["calls"], row["errors"]
        # A name seen as an instrumented service wins over a client's guess at what it called.
        kinds[caller] = "service"
        if row["callee_kind"] == "service":
            kinds[callee] = "service"
        else:
            kinds.setdefault(callee, row["callee_kind"])
        calls_in[callee] = calls_in.get(callee, 0) + calls
        errors_in[callee] = errors_in.get(callee, 0) + errors
        calls_out[caller] = calls_out.get(caller, 0) + calls
        edges.append(
            ServiceEdge(
                caller=caller,
                callee=callee,
                calls=calls,
                errors=errors,
                rate_per_s=calls / seconds,
                error_rate=errors / calls if calls else 0.0,
                p50_ms=row["p50_ns"] / 1e6,
                p95_ms=row["p95_ns"] / 1e6,
            )
        )
    nodes = tuple(
        ServiceNode(
            name=name,
            kind=kinds[name],
            calls_in=calls_in.get(name, 0),
            errors_in=errors_in.get(name, 0),
            calls_out=calls_out.get(name, 0),
        )
        for name in sorted(kinds)
    )
    return ServiceMap(nodes=nodes, edges=tuple(sorted(edges, key=lambda e: (e.caller, e.callee))))
