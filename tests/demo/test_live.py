"""The live demo end to end: real processes, real SDKs, a fault the query API can see."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from nightcall.demo.faults import FaultKind
from nightcall.demo.live import LiveOptions, run_live
from nightcall.demo.topology import SERVICE_NAMES, service
from tests.conftest import RunningServer


def _get(server: RunningServer, path: str, **params: Any) -> Any:
    response = httpx.get(server.url + path, params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.slow
def test_short_live_run_shows_every_service_and_the_fault(server: RunningServer) -> None:
    """A short live run with pool exhaustion in catalog: all services report, catalog fails."""
    result = run_live(
        LiveOptions.short(server.url, fault=FaultKind.POOL_EXHAUSTION, service="catalog")
    )
    server.flush()
    truth = result.truth
    (fault,) = truth["faults"]
    assert (fault["fault"], fault["service"]) == ("pool_exhaustion", "catalog")
    assert result.load.sent > 50
    whole = {"start": truth["start_unix_nano"], "end": truth["end_unix_nano"] + 10**10}
    before = {"start": truth["start_unix_nano"], "end": fault["start_unix_nano"]}
    during = {"start": fault["start_unix_nano"] + 5 * 10**9, "end": fault["end_unix_nano"]}

    services = {s["service"]: s for s in _get(server, "/api/v1/services", **whole)["services"]}
    assert set(SERVICE_NAMES) <= set(services)
    assert services["catalog"]["errors"] > 0

    failed = _get(server, "/api/v1/traces", service="catalog", status="error", limit=1000, **during)
    healthy = _get(server, "/api/v1/traces", service="catalog", status="error", **before)
    # The shop has a small background error rate, so "before" is rare errors, not none.
    assert len(failed["traces"]) > 5 * max(1, len(healthy["traces"]))
    logs = _get(
        server, "/api/v1/logs", service="catalog", q="timeout acquiring connection", **during
    )
    assert logs["logs"]
    assert all(log["trace_id"] for log in logs["logs"])

    events = _get(server, "/api/v1/errors/events", service="catalog", limit=1000, **whole)
    assert "PoolTimeout" in {e["exception_type"] for e in events["events"]}

    usage = _get(
        server,
        "/api/v1/metrics/db.client.connections.usage/series",
        service="catalog",
        group_by="state",
        agg="max",
        step=5,
        **whole,
    )
    used = next(s for s in usage["series"] if s["labels"] == ["used"])
    assert max(p["value"] for p in used["points"]) == service("catalog").pool_size
    names = {m["name"] for m in _get(server, "/api/v1/metrics", **whole)["metrics"]}
    assert {
        "process.cpu.utilization",
        "process.memory.usage",
        "cpython.gc.collections",
        "http.server.request.duration",
        "db.client.connections.usage",
    } <= names
