"""The operational endpoints: /healthz and /metrics."""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient

from tests.conftest import RunningServer


def test_healthz_reports_the_write_path(app_client: TestClient) -> None:
    """/healthz answers 200 with the version, WAL backlog and writer lag."""
    body = app_client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["wal_pending_bytes"] == 0
    assert body["writer_lag_s"] == 0.0


def test_real_server_serves_metrics(server: RunningServer) -> None:
    """A real server on 127.0.0.1 exposes nightcall's own Prometheus metrics."""
    response = httpx.get(server.url + "/metrics")
    assert response.status_code == 200
    assert "nightcall_wal_pending_bytes 0.0" in response.text
    assert "nightcall_items_accepted_total" in response.text
