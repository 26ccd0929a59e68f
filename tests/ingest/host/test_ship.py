"""Shipping host metrics over OTLP/HTTP: retries with Retry-After, refusals, and the CLI."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from typer.testing import CliRunner

from nightcall.cli.main import app
from nightcall.ingest.host import OtlpShipper, ShipError
from nightcall.ingest.host.ship import retry_after_s
from nightcall.ingest.metric_points import Gauge, MetricResource
from tests.conftest import RunningServer

POINT = Gauge(resource=MetricResource(service="host", attributes={"host.name": "h1"}),
              name="system.cpu.load_average.1m", time_ns=1, value=0.5)  # fmt: skip


class _Scripted(BaseHTTPRequestHandler):
    """Answers each POST with the next (status, headers) of the server's script."""

    def do_POST(self) -> None:
        server = self.server
        assert isinstance(server, _ScriptedServer)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server.bodies.append(body)
        status, headers = server.script.pop(0) if server.script else (200, {})
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:  # keep test output clean
        pass


class _ScriptedServer(ThreadingHTTPServer):
    script: list[tuple[int, dict[str, str]]]
    bodies: list[bytes]


@pytest.fixture
def scripted() -> Iterator[_ScriptedServer]:
    """A real HTTP server on 127.0.0.1 answering from a script."""
    server = _ScriptedServer(("127.0.0.1", 0), _Scripted)
    server.script, server.bodies = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_retry_after_is_honoured_then_the_request_succeeds(scripted: _ScriptedServer) -> None:
    """503 and 429 are retried, waiting what Retry-After asks, and the same body is resent."""
    scripted.script = [(503, {"Retry-After": "7"}), (429, {}), (200, {})]
    waits: list[float] = []
    url = f"http://127.0.0.1:{scripted.server_port}"
    with OtlpShipper(url, backoff_s=0.5, sleep=waits.append) as shipper:
        assert shipper.send([POINT]) == 1
    assert waits == [7.0, 1.0]  # Retry-After first, then the doubled backoff
    assert len(scripted.bodies) == 3
    assert len(set(scripted.bodies)) == 1
    request = metrics_service_pb2.ExportMetricsServiceRequest.FromString(scripted.bodies[0])
    metric = request.resource_metrics[0].scope_metrics[0].metrics[0]
    assert (metric.name, metric.gauge.data_points[0].as_double) == (POINT.name, 0.5)


def test_a_refusal_is_not_retried(scripted: _ScriptedServer) -> None:
    """A 401 is the sender's problem: no retry, and the error says what to check."""
    scripted.script = [(401, {})]
    url = f"http://127.0.0.1:{scripted.server_port}"
    with OtlpShipper(url, sleep=lambda _: None) as shipper, pytest.raises(ShipError) as caught:
        shipper.send([POINT])
    assert caught.value.is_refusal
    assert "answered 401" in caught.value.message
    assert len(scripted.bodies) == 1


def test_retry_after_header_forms() -> None:
    """Seconds are read and capped; a date or garbage falls back to the backoff."""
    assert retry_after_s("3", 0.5) == 3.0
    assert retry_after_s("100000", 0.5) == 60.0
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", 0.5) == 0.5
    assert retry_after_s(None, 2.0) == 2.0


def test_collect_command_delivers_metrics_to_a_server(server: RunningServer) -> None:
    """`nightcall collect --url` ships a remote host's metrics into the server's store."""
    result = CliRunner().invoke(
        app,
        ["collect", "--url", server.url, "--interval", "0.2", "--count", "2", "--top", "3",
         "--host-name", "remote-1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.count("points to") == 2
    server.flush()
    listing = httpx.get(f"{server.url}/api/v1/metrics", params={"start": "-10m"}).json()
    names = {m["name"] for m in listing["metrics"]}
    assert {"system.cpu.utilization", "system.memory.usage", "process.memory.usage"} <= names
    found = httpx.get(
        f"{server.url}/api/v1/metrics/system.memory.usage/series",
        params={"start": "-10m", "group_by": "resource.host.name"},
    ).json()
    assert [s["labels"] for s in found["series"]] == [["remote-1"]]
