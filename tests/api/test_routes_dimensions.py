"""GET /api/v1/attribution over a real store, through the router the app mounts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response
from starlette.testclient import TestClient

from nightcall.api.errors import error_response
from nightcall.api.routes_dimensions import dimensions_router
from nightcall.errors import NightcallError
from nightcall.ingest.sentry import encode_error_rows, event_row
from nightcall.store.store import Store
from tests.store.telemetry import SECOND_NS, make_span, span_id, trace_batches, trace_id

T0_S = 1_767_225_600  # 2026-01-01T00:00:00Z
NOW_NS = (T0_S + 3600) * SECOND_NS
WINDOW = {"start": "2026-01-01T00:45:00Z", "end": "2026-01-01T01:00:00Z"}


def _crash(number: int, *, second: int, device: str) -> dict[str, Any]:
    return {
        "event_id": f"{number:032x}",
        "timestamp": T0_S + second,
        "level": "fatal",
        "platform": "cocoa",
        "tags": {"service": "ios"},
        "contexts": {"device": {"model": device}, "os": {"name": "iOS", "version": "17.4"}},
        "exception": {"values": [{"type": "SIGSEGV", "value": "crash"}]},
    }


@pytest.fixture
def client(store: Store) -> Iterator[TestClient]:
    """The attribution router over a store with crashes: A crashes 20 times in the last 15
    minutes, while A, B and C crashed twice each in the 45 minutes before."""
    plan = [(60 + 300 * n, device) for n, device in enumerate("AABBCC")]
    plan += [(2700 + 30 * n, "A") for n in range(20)] + [(2750, "B")]
    rows = [event_row(_crash(n, second=s, device=d), project_id="1", received_ns=0)
            for n, (s, d) in enumerate(plan)]  # fmt: skip
    batch = encode_error_rows(rows)
    assert batch is not None
    store.insert_batches([batch])
    spans = [
        make_span(trace=trace_id(n), span=span_id(n), name="GET /", start_ns=NOW_NS - n * SECOND_NS,
                  duration_ns=(900 if n % 4 == 0 else 10) * 1_000_000,
                  attributes={"http.route": "/slow" if n % 4 == 0 else "/fast"})
        for n in range(1, 41)
    ]  # fmt: skip
    store.insert_batches(list(trace_batches({"web": spans})))

    async def on_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, NightcallError)
        return error_response(request, exc)

    app = FastAPI()
    app.add_exception_handler(NightcallError, on_error)
    app.include_router(dimensions_router(store, lambda: NOW_NS))
    with TestClient(app) as test_client:
        yield test_client


def test_error_attribution_names_the_crashing_device(client: TestClient) -> None:
    """The window's crashes are attributed to device A, against three windows before."""
    answer = client.get("/api/v1/attribution", params={**WINDOW, "service": "ios"}).json()
    (first,) = answer["attributions"]
    assert first["combination"] == {"device.model": "A"}
    assert first["summary"].startswith("95% of error events in the window are on device.model=A")
    assert answer["baseline"]["start"] == "2026-01-01T00:00:00.000000000Z"
    assert answer["baseline"]["end_unix_nano"] == answer["window"]["start_unix_nano"]
    assert (answer["failed"], answer["total"]) == (21, 27)
    assert answer["query"].startswith("SELECT")


def test_slow_span_attribution_uses_a_threshold(client: TestClient) -> None:
    """Spans over 100 ms are all on the slow route."""
    params: dict[str, str | int] = {**WINDOW, "population": "slow_spans", "service": "web",
                                    "slow_threshold_ms": 100}  # fmt: skip
    (first,) = client.get("/api/v1/attribution", params=params).json()["attributions"]
    assert first["combination"] == {"http.route": "/slow"}
    assert first["failure_rate"] == 1.0


def test_span_populations_need_a_service(client: TestClient) -> None:
    """Without a service the answer is a 400 naming the parameter."""
    response = client.get("/api/v1/attribution", params={"population": "failed_spans"})
    assert response.status_code == 400
    assert response.json()["error"]["location"] == "service"


def test_a_baseline_after_the_window_start_is_refused(client: TestClient) -> None:
    """The baseline has to end by the window's start."""
    params = {**WINDOW, "baseline_start": "2026-01-01T00:00:00Z",
              "baseline_end": "2026-01-01T00:50:00Z"}  # fmt: skip
    response = client.get("/api/v1/attribution", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["location"] == "baseline_end"
