"""The service map through the real store, from spans made by the real OTLP flattener."""

from __future__ import annotations

import pytest

from nightcall.analysis.traces import ServiceEdge, ServiceNode, build_service_map
from nightcall.store.queries_service_map import service_edges
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store
from tests.store.telemetry import (
    CLIENT,
    INTERNAL,
    MS_NS,
    SECOND_NS,
    SERVER,
    make_span,
    span_id,
    trace_batches,
    trace_id,
)

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
WINDOW = Window(start_ns=T0, end_ns=T0 + 60 * SECOND_NS)
API_MS = (40, 50, 60)  # the api server span's duration in each of the three traces


def load_checkouts(store: Store) -> None:
    """Three traces frontend -> api -> (postgresql, api.stripe.com); the third fails in api."""
    frontend, api = [], []
    for n, api_ms in enumerate(API_MS):
        t, base, start = trace_id(n), 10 * n, T0 + n * SECOND_NS
        failing = n == 2
        frontend += [
            make_span(trace=t, span=span_id(base + 1), name="GET /checkout", kind=SERVER,
                      start_ns=start, duration_ns=100 * MS_NS, error=failing),
            make_span(trace=t, span=span_id(base + 2), parent=span_id(base + 1), name="render",
                      kind=INTERNAL, start_ns=start + 1 * MS_NS, duration_ns=5 * MS_NS),
            make_span(trace=t, span=span_id(base + 3), parent=span_id(base + 1),
                      name="POST /api/orders", kind=CLIENT, start_ns=start + 10 * MS_NS,
                      duration_ns=(api_ms + 2) * MS_NS, error=failing,
                      attributes={"server.address": "api"}),
        ]  # fmt: skip
        api += [
            make_span(trace=t, span=span_id(base + 4), parent=span_id(base + 3),
                      name="POST /api/orders", kind=SERVER, start_ns=start + 11 * MS_NS,
                      duration_ns=api_ms * MS_NS, error=failing),
            make_span(trace=t, span=span_id(base + 5), parent=span_id(base + 4),
                      name="INSERT orders", kind=CLIENT, start_ns=start + 12 * MS_NS,
                      duration_ns=10 * MS_NS, attributes={"db.system": "postgresql"}),
            make_span(trace=t, span=span_id(base + 6), parent=span_id(base + 4),
                      name="POST /v1/charges", kind=CLIENT, start_ns=start + 25 * MS_NS,
                      duration_ns=10 * MS_NS, error=failing,
                      attributes={"server.address": "api.stripe.com"}),
        ]  # fmt: skip
    store.insert_batches(trace_batches({"frontend": frontend, "api": api}))


def test_edges_come_from_parent_child_pairs_across_services(store: Store) -> None:
    """Service-to-service and uninstrumented-dependency edges have exact counts and errors."""
    load_checkouts(store)
    rows = service_edges(store, WINDOW)
    assert [
        (r["caller"], r["callee"], r["callee_kind"], r["calls"], r["errors"]) for r in rows
    ] == [
        ("api", "api.stripe.com", "external", 3, 1),
        ("api", "postgresql", "database", 3, 0),
        ("frontend", "api", "service", 3, 1),
    ]
    api_edge = rows[2]
    assert api_edge["p50_ns"] == 50 * MS_NS
    assert api_edge["p95_ns"] == pytest.approx(59 * MS_NS, abs=MS_NS)


def test_the_map_has_nodes_of_each_kind_and_per_edge_rates(store: Store) -> None:
    """The shaped map names services and leaf dependencies, with rate and error rate per edge."""
    load_checkouts(store)
    service_map = build_service_map(service_edges(store, WINDOW), window_s=WINDOW.seconds)
    assert service_map.nodes == (
        ServiceNode(name="api", kind="service", calls_in=3, errors_in=1, calls_out=6),
        ServiceNode(name="api.stripe.com", kind="external", calls_in=3, errors_in=1, calls_out=0),
        ServiceNode(name="frontend", kind="service", calls_in=0, errors_in=0, calls_out=3),
        ServiceNode(name="postgresql", kind="database", calls_in=3, errors_in=0, calls_out=0),
    )
    frontend_api = service_map.edges[2]
    assert frontend_api == ServiceEdge(
        caller="frontend", callee="api", calls=3, errors=1, rate_per_s=0.05, error_rate=1 / 3,
        p50_ms=50.0, p95_ms=frontend_api.p95_ms,
    )  # fmt: skip


def test_spans_outside_the_window_make_no_edges(store: Store) -> None:
    """A window before the spans holds no edges."""
    load_checkouts(store)
    earlier = Window(start_ns=T0 - 60 * SECOND_NS, end_ns=T0)
    assert service_edges(store, earlier) == []
    assert build_service_map([], window_s=60.0).nodes == ()
