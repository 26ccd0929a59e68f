"""Probes against a real local HTTP server: up, down (500), hanging past the timeout, TLS."""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from nightcall.ingest.probes.check import cert_days_left
from tests.conftest import RunningServer

HEALTHY = b'{"status": "ok", "metrics": {"queue_depth": 4, "workers": {"busy": 2}, "name": "x"}}'


class _Health(BaseHTTPRequestHandler):
    """The first GET is healthy (JSON), the second answers 500, the rest hang until released."""

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _HealthServer)
        with server.lock:
            server.requests += 1
            number = server.requests
        with contextlib.suppress(OSError):
            if number == 1:
                self._answer(200, HEALTHY)
            elif number == 2:
                self._answer(500, b"internal error")
            else:
                server.release.wait(30)

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:  # keep test output clean
        pass


class _HealthServer(ThreadingHTTPServer):
    requests: int
    lock: threading.Lock
    release: threading.Event


@pytest.fixture
def health() -> Iterator[_HealthServer]:
    """A real HTTP server on 127.0.0.1 playing healthy, failing, then hanging."""
    server = _HealthServer(("127.0.0.1", 0), _Health)
    server.requests, server.lock, server.release = 0, threading.Lock(), threading.Event()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join()


def _get(url: str, path: str, **params: str) -> Any:
    response = httpx.get(url + path, params={"start": "-10m", **params})
    assert response.status_code == 200, response.text
    return response.json()


def _values(url: str, name: str, **params: str) -> dict[tuple[str, ...], float]:
    found = _get(url, f"/api/v1/metrics/{name}/series", step="1200", **params)
    return {tuple(s["labels"]): s["points"][0]["value"] for s in found["series"]}


def test_up_then_500_then_timeout_are_recorded(
    health: _HealthServer, make_server: Callable[..., RunningServer]
) -> None:
    """Status codes, latency, body size, reported metrics, errors by type and logs are stored."""
    target = f"http://127.0.0.1:{health.server_port}/health"
    probe = {"name": "api", "url": target, "interval_s": 0.2, "timeout_s": 0.5,
             "service": "api-svc"}  # fmt: skip
    server = make_server(probes=[probe], statsd_port=0)
    deadline = time.monotonic() + 60
    errors: dict[tuple[str, ...], float] = {}
    while time.monotonic() < deadline:
        names = {m["name"] for m in _get(server.url, "/api/v1/metrics")["metrics"]}
        if "probe.errors" in names:
            errors = _values(server.url, "probe.errors", agg="sum", group_by="error.type")
            if ("timeout",) in errors:
                break
        time.sleep(0.1)
    assert errors[("unexpected_status",)] == 1.0
    assert errors[("timeout",)] >= 1.0
    status = _values(server.url, "probe.http.status_code", agg="min")[()]
    assert (status, _values(server.url, "probe.http.status_code", agg="max")[()]) == (200, 500)
    assert _values(server.url, "probe.up", agg="min")[()] == 0.0
    assert _values(server.url, "probe.up", agg="max")[()] == 1.0
    assert _values(server.url, "probe.duration", agg="max")[()] > 0
    assert _values(server.url, "probe.body.size", agg="max")[()] == len(HEALTHY)
    assert _values(server.url, "probe.reported.queue_depth", agg="last")[()] == 4.0
    assert _values(server.url, "probe.reported.workers.busy", agg="last")[()] == 2.0
    logs = _get(server.url, "/api/v1/logs", service="api-svc")["logs"]
    by_severity = {(log["severity"], log["attributes"]["error.type"]) for log in logs}
    assert {("WARN", "unexpected_status"), ("ERROR", "timeout")} <= by_severity
    assert all(target in log["body"] for log in logs)


def test_connection_refused_is_a_connect_error(make_server: Callable[..., RunningServer]) -> None:
    """A port nobody listens on is recorded as error.type=connect, with an ERROR log."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    probe = {"name": "gone", "url": f"http://127.0.0.1:{port}/", "interval_s": 5}
    server = make_server(probes=[probe], statsd_port=0)
    deadline = time.monotonic() + 30
    logs: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not logs:
        logs = _get(server.url, "/api/v1/logs", service="gone")["logs"]
        time.sleep(0.1)
    assert [(log["severity"], log["attributes"]["error.type"]) for log in logs] == [
        ("ERROR", "connect")
    ]


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid 30 days, made with the openssl CLI."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def test_tls_certificate_days_left_and_untrusted_certificate(
    make_server: Callable[..., RunningServer], self_signed: tuple[Path, Path]
) -> None:
    """Days left come from the peer certificate; an untrusted one is error.type=tls."""
    cert, key = self_signed
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    https = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    https.socket = context.wrap_socket(https.socket, server_side=True)
    thread = threading.Thread(target=https.serve_forever, daemon=True)
    thread.start()
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        with (
            socket.create_connection(("127.0.0.1", https.server_port)) as raw,
            client_context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
        ):
            days = cert_days_left(tls, time.time())
        assert days is not None
        assert 29 < days <= 30
        url = f"https://127.0.0.1:{https.server_port}/"
        server = make_server(probes=[{"name": "tls", "url": url, "interval_s": 5}], statsd_port=0)
        deadline = time.monotonic() + 30
        logs: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not logs:
            logs = _get(server.url, "/api/v1/logs", service="tls")["logs"]
            time.sleep(0.1)
        assert [log["attributes"]["error.type"] for log in logs] == ["tls"]
    finally:
        https.shutdown()
        https.server_close()
        thread.join()
