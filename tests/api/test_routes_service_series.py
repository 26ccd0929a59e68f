"""Services over time through the in-process app: RED per step, and deploys as changes."""

from __future__ import annotations

from opentelemetry.proto.trace.v1 import trace_pb2
from starlette.testclient import TestClient

from nightcall.api.app import Runtime
from tests.store.telemetry import (
    MS_NS,
    SECOND_NS,
    SERVER,
    make_span,
    span_id,
    trace_id,
    traces_request,
)

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
WINDOW = {"start": "2026-01-01T00:00:00Z", "end": "2026-01-01T00:02:00Z"}
PROTOBUF = {"Content-Type": "application/x-protobuf"}


def _send(client: TestClient, runtime: Runtime, version: str, seconds: range) -> None:
    """One request of `shop` per second in `seconds`, reported by `version`; odd ones fail."""
    spans: list[trace_pb2.Span] = [
        make_span(trace=trace_id(s), span=span_id(s), name="GET /", kind=SERVER,
                  start_ns=T0 + s * SECOND_NS, duration_ns=(10 + s) * MS_NS, error=s % 2 == 1)
        for s in seconds
    ]  # fmt: skip
    request = traces_request({"shop": spans}, resource={"service.version": version})
    answer = client.post("/v1/traces", content=request.SerializeToString(), headers=PROTOBUF)
    assert answer.status_code == 200
    assert runtime.pipeline.wait_until_stored(30)


def test_series_give_each_measure_per_step(app_client: TestClient, runtime: Runtime) -> None:
    """/services/series answers requests, error rate and p95 per step for each service, null
    where a step had no request, with the window and step to place them."""
    _send(app_client, runtime, "1.0", range(20))
    answer = app_client.get("/api/v1/services/series", params={**WINDOW, "step": 10})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["step_s"] == 10
    assert body["start_unix_nano"] == T0
    by_name = {s["name"]: s for s in body["series"] if s["service"] == "shop"}
    assert set(by_name) == {"requests", "error_rate", "latency_p95"}
    assert by_name["requests"]["values"][:3] == [1.0, 1.0, 0.0]
    assert by_name["requests"]["unit"] == "1/s"
    assert by_name["error_rate"]["values"][0] == 0.5
    assert by_name["error_rate"]["values"][2] is None
    assert 10 <= by_name["latency_p95"]["values"][0] <= 20
    only = app_client.get("/api/v1/services/series", params={**WINDOW, "service": "nope"})
    assert only.json()["series"] == []


def test_too_fine_a_step_is_refused(app_client: TestClient) -> None:
    """A step that would give more points than a chart can use answers 400 with a hint."""
    answer = app_client.get("/api/v1/services/series", params={**WINDOW, "step": 0.01})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["location"] == "step"
    assert "larger step" in error["hint"]


def test_changes_list_a_deploy_inside_the_window(app_client: TestClient, runtime: Runtime) -> None:
    """A new service.version that replaces the old one inside the window is a deploy."""
    _send(app_client, runtime, "1.0", range(30))
    _send(app_client, runtime, "1.1", range(30, 60))
    answer = app_client.get("/api/v1/changes", params={**WINDOW, "service": "shop"})
    assert answer.status_code == 200, answer.text
    deploys = [c for c in answer.json()["changes"] if c["kind"] == "deploy"]
    assert len(deploys) == 1
    assert (deploys[0]["previous"], deploys[0]["current"]) == ("1.0", "1.1")
    assert deploys[0]["time_unix_nano"] == T0 + 30 * SECOND_NS
