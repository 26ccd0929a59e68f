"""Network probes against real local servers: an HTTP server and a TLS server on loopback."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from nightcall.explain.diagnostics.probes_network import dns_lookup, http_probe, tls_certificate


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "http://evil.example/")
            self.end_headers()
            return
        body = b"ok" * 5000
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # the base class names it format
        return


@pytest.fixture
def http_url() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1, its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_http_probe_reports_status_time_and_size(http_url: str) -> None:
    """A GET gives the status, timings and the full size, keeping a bounded part of the body."""
    found = http_probe({"url": http_url + "/healthz"})
    assert found.facts["status"] == 200
    assert found.facts["body_bytes"] == 10_000
    assert len(found.text) < 6000
    assert found.summary.startswith(f"GET {http_url}/healthz -> 200 in ")


def test_http_probe_does_not_follow_redirects(http_url: str) -> None:
    """A redirect is reported, never followed: it could lead off the allow-list."""
    found = http_probe({"url": http_url + "/moved"})
    assert found.facts["status"] == 302
    assert "(redirect to http://evil.example/, not followed)" in found.summary


def test_http_probe_of_a_closed_port_is_a_finding() -> None:
    """A refused connection is what the probe found, not an error."""
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    found = http_probe({"url": f"http://127.0.0.1:{port}/"})
    assert found.facts["status"] == 0
    assert "ConnectError" in found.summary


def test_dns_lookup_resolves_localhost() -> None:
    """localhost resolves to a loopback address, timed."""
    found = dns_lookup({"host": "localhost"})
    assert int(found.facts["resolved"]) >= 1
    assert "127.0.0.1" in found.text or "::1" in found.text


@pytest.fixture
def tls_port(tmp_path: Path) -> Iterator[int]:
    """A TLS server on 127.0.0.1 with a fresh self-signed certificate (made with openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # so the loop sees `stop` (close() does not wake accept())
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(5)
            try:
                with context.wrap_socket(connection, server_side=True):
                    pass
            except (OSError, ssl.SSLError):
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_tls_certificate_reports_a_failed_verification(tls_port: int) -> None:
    """A self-signed certificate fails verification, and the probe says why."""
    found = tls_certificate({"host": "localhost", "port": tls_port})
    assert found.facts["verified"] == 0
    assert "self-signed certificate" in found.summary
