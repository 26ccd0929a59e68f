"""The trace analysis API over spans sent through OTLP/HTTP to the in-process app."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from opentelemetry.proto.trace.v1 import trace_pb2
from starlette.testclient import TestClient

from nightcall.api.app import Runtime
from tests.store.telemetry import (
    CLIENT,
    MS_NS,
    SECOND_NS,
    SERVER,
    make_span,
    span_id,
    trace_id,
    traces_request,
)

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T00:01:00Z"}
PROTOBUF = {"Content-Type": "application/x-protobuf"}


def send(
    client: TestClient, runtime: Runtime, spans_by_service: Mapping[str, Sequence[trace_pb2.Span]]
) -> None:
    """POST the spans as one OTLP protobuf request and wait until they are stored."""
    body = traces_request(spans_by_service).SerializeToString()
    assert client.post("/v1/traces", content=body, headers=PROTOBUF).status_code == 200
    assert runtime.pipeline.wait_until_stored(30)


def checkout(number: int, *, db_ms: int, region: str) -> dict[str, list[trace_pb2.Span]]:
    """A checkout in `shop` that calls `orders`, which runs one query of `db_ms` ms."""
    t, base, start = trace_id(number), 10 * number, T0 + number * SECOND_NS
    return {
        "shop": [
            make_span(trace=t, span=span_id(base + 1), name="GET /checkout", kind=SERVER,
                      start_ns=start, duration_ns=(db_ms + 20) * MS_NS,
                      attributes={"cloud.region": region}),
            make_span(trace=t, span=span_id(base + 2), parent=span_id(base + 1),
                      name="POST /orders", kind=CLIENT, start_ns=start + 5 * MS_NS,
                      duration_ns=(db_ms + 10) * MS_NS),
        ],
        "orders": [
            make_span(trace=t, span=span_id(base + 3), parent=span_id(base + 2),
                      name="POST /orders", kind=SERVER, start_ns=start + 6 * MS_NS,
                      duration_ns=(db_ms + 8) * MS_NS, error=db_ms > 100),
            make_span(trace=t, span=span_id(base + 4), parent=span_id(base + 3),
                      name="INSERT orders", kind=CLIENT, start_ns=start + 7 * MS_NS,
                      duration_ns=db_ms * MS_NS, attributes={"db.system": "postgresql"}),
        ],
    }  # fmt: skip


def test_trace_analysis_returns_the_critical_path_and_bottleneck(
    app_client: TestClient, runtime: Runtime
) -> None:
    """One trace's analysis walks shop -> orders -> the query, the query being the bottleneck."""
    send(app_client, runtime, checkout(1, db_ms=200, region="eu-west"))
    hex_id = trace_id(1).hex()
    response = app_client.get(f"/api/v1/traces/{hex_id}/analysis")
    assert response.status_code == 200
    body = response.json()
    assert body["trace_id"] == hex_id
    assert body["duration_ms"] == 220.0
    assert [(s["name"], s["offset_ms"], s["duration_ms"]) for s in body["critical_path"]] == [
        ("GET /checkout", 0.0, 5.0),
        ("POST /orders", 5.0, 1.0),
        ("POST /orders", 6.0, 1.0),
        ("INSERT orders", 7.0, 200.0),
        ("POST /orders", 207.0, 7.0),
        ("POST /orders", 214.0, 1.0),
        ("GET /checkout", 215.0, 5.0),
    ]
    assert body["bottlenecks"][0]["name"] == "INSERT orders"
    assert body["bottlenecks"][0]["self_ms"] == 200.0
    assert [(e["service"], e["is_origin"]) for e in body["errors"]] == [("orders", True)]
    assert body["error_origin"]["name"] == "POST /orders"
    assert body["orphan_span_ids"] == []


def test_trace_analysis_of_an_unknown_trace_is_not_found(app_client: TestClient) -> None:
    """An unknown trace id is a 404 in the one error shape."""
    response = app_client.get("/api/v1/traces/0123456789abcdef0123456789abcdef/analysis")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_service_map_answers_nodes_and_edges(app_client: TestClient, runtime: Runtime) -> None:
    """The service map lists shop -> orders and orders -> postgresql with exact counts."""
    for n in range(4):
        send(app_client, runtime, checkout(n, db_ms=200 if n == 3 else 30, region="us-east"))
    response = app_client.get("/api/v1/service-map", params=WINDOW)
    assert response.status_code == 200
    body = response.json()
    assert [(n["name"], n["kind"]) for n in body["nodes"]] == [
        ("orders", "service"),
        ("postgresql", "database"),
        ("shop", "service"),
    ]
    assert [(e["caller"], e["callee"], e["calls"], e["errors"], e["error_rate"])
            for e in body["edges"]] == [
        ("orders", "postgresql", 4, 0, 0.0),
        ("shop", "orders", 4, 1, 0.25),
    ]  # fmt: skip
    assert body["edges"][1]["rate_per_s"] == 4 / 60


def test_compare_names_the_grown_operation_and_the_slow_only_attribute(
    app_client: TestClient, runtime: Runtime
) -> None:
    """Slow checkouts are explained by the query's self-time and by cloud.region=eu-west."""
    for n in range(10):
        slow = n >= 8
        trace = checkout(n, db_ms=60 if slow else 30, region="eu-west" if slow else "us-east")
        send(app_client, runtime, trace)
    params: dict[str, str | int] = {
        **WINDOW,
        "service": "shop",
        "operation": "GET /checkout",
        "slow_percentile": 80,
    }
    response = app_client.get("/api/v1/traces/compare", params=params)
    assert response.status_code == 200
    body = response.json()
    assert (body["traces_seen"], body["slow_traces"], body["baseline_traces"]) == (10, 2, 8)
    assert body["threshold_ms"] == 80.0
    assert sorted(body["slow_trace_ids"]) == [trace_id(8).hex(), trace_id(9).hex()]
    assert body["gap_ms"] == 30.0
    top = body["operations"][0]
    assert (top["service"], top["operation"], top["slow_mean_self_ms"],
            top["baseline_mean_self_ms"], top["contribution"]) == (
        "orders", "INSERT orders", 60.0, 30.0, 1.0)  # fmt: skip
    assert [(a["key"], a["value"], a["slow_share"], a["baseline_share"])
            for a in body["attributes"]] == [("cloud.region", "eu-west", 1.0, 0.0)]  # fmt: skip


def test_compare_without_a_service_is_a_located_bad_request(app_client: TestClient) -> None:
    """Leaving out `service` is answered 400 naming the parameter."""
    response = app_client.get("/api/v1/traces/compare", params={"operation": "GET /"})
    assert response.status_code == 400
    assert response.json()["error"]["location"] == "query.service"


def test_compare_takes_at_most_max_traces_per_cohort(
    app_client: TestClient, runtime: Runtime
) -> None:
    """`max_traces` bounds each cohort: the slowest slow trace and one baseline trace."""
    for n in range(6):
        send(app_client, runtime, checkout(n, db_ms=30 + 10 * n, region="us-east"))
    params: dict[str, str | int] = {
        **WINDOW,
        "service": "shop",
        "operation": "GET /checkout",
        "slow_percentile": 50,
        "max_traces": 1,
    }
    body = app_client.get("/api/v1/traces/compare", params=params).json()
    assert (body["traces_seen"], body["slow_traces"], body["baseline_traces"]) == (6, 1, 1)
    assert body["slow_trace_ids"] == [trace_id(5).hex()]
