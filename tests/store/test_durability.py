"""Acknowledged telemetry survives `kill -9`; SIGTERM drains the writer: a real `nightcall serve`.

Each test runs the server as a subprocess (its own chDB), on a port picked by binding to
127.0.0.1:0, and polls the API with generous timeouts; nothing here asserts how long anything took.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from nightcall.config import load_settings
from nightcall.store.queries_traces import TraceFilter, Window, search_traces
from nightcall.store.store import open_store
from nightcall.store.wal import WriteAheadLog
from tests.store.telemetry import MS_NS, make_span, span_id, trace_id, traces_request

pytestmark = pytest.mark.slow

NIGHTCALL = Path(sys.executable).parent / "nightcall"
START_TIMEOUT_S = 120.0
FIND_TIMEOUT_S = 120.0
PROTOBUF = {"Content-Type": "application/x-protobuf"}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServeProcess:
    """`nightcall serve` on one data directory, run as a child process."""

    def __init__(self, data_dir: Path, log_path: Path):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log: IO[bytes] = log_path.open("ab")
        # Only this test's settings: no NIGHTCALL_* from the caller, no nightcall.toml nearby.
        environment = {k: v for k, v in os.environ.items() if not k.startswith("NIGHTCALL_")}
        self.process = subprocess.Popen(
            [str(NIGHTCALL), "serve", "--data-dir", str(data_dir), "--port", str(self.port)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=data_dir.parent,
            env=environment,
        )

    def wait_until_healthy(self) -> None:
        """Poll /healthz until the server answers; fail with its log if it dies or never does."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"nightcall serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"nightcall serve did not become healthy:\n{self.log()}")

    def stop(self, sig: signal.Signals) -> int:
        """Send `sig` and wait for the process to exit; returns its exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=START_TIMEOUT_S)
        finally:
            self._log.close()

    def log(self) -> str:
        """What the server printed so far."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[list[ServeProcess]]:
    """Started servers; any still running at the end is killed and reaped."""
    started: list[ServeProcess] = []
    yield started
    for server in started:
        server.stop(signal.SIGKILL)


def start(started: list[ServeProcess], data_dir: Path) -> ServeProcess:
    """Start `nightcall serve` on `data_dir` and wait until it is healthy."""
    server = ServeProcess(data_dir, data_dir.parent / f"serve-{len(started)}.log")
    started.append(server)
    server.wait_until_healthy()
    return server


def send_traces(server: ServeProcess, numbers: range) -> None:
    """POST one OTLP protobuf request per trace number, each acknowledged with 200."""
    now = time.time_ns()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for number in numbers:
            span = make_span(
                trace=trace_id(number),
                span=span_id(number),
                name="GET /durable",
                start_ns=now - MS_NS,
                duration_ns=MS_NS,
            )
            body = traces_request({"durable": [span]}).SerializeToString()
            response = client.post("/v1/traces", content=body, headers=PROTOBUF)
            assert response.status_code == 200, response.text


def traces_via_api(server: ServeProcess) -> set[str]:
    """Every trace id the running server's API lists for the last hour."""
    found: set[str] = set()
    cursor = None
    with httpx.Client(base_url=server.url, timeout=30) as client:
        while True:
            params = {"start": "-1h", "limit": "10000", **({"cursor": cursor} if cursor else {})}
            response = client.get("/api/v1/traces", params=params)
            assert response.status_code == 200, response.text
            body = response.json()
            found |= {t["trace_id"] for t in body["traces"]}
            cursor = body["next"]
            if cursor is None:
                return found


def wait_for_traces(server: ServeProcess, expected: set[str]) -> set[str]:
    """Poll the API until every expected trace is listed (or the generous timeout passes)."""
    deadline = time.monotonic() + FIND_TIMEOUT_S
    found = traces_via_api(server)
    while not expected <= found and time.monotonic() < deadline:
        time.sleep(0.2)
        found = traces_via_api(server)
    return found


def ids(numbers: range) -> set[str]:
    """Hex trace ids of trace numbers."""
    return {trace_id(n).hex() for n in numbers}


def test_acknowledged_traces_survive_kill_9(tmp_path: Path, serve: list[ServeProcess]) -> None:
    """Every trace acknowledged before SIGKILL is found through the API after a restart."""
    data_dir = tmp_path / "data"
    first = start(serve, data_dir)
    send_traces(first, range(1, 51))
    first.stop(signal.SIGKILL)  # right after the last 200: the writer has likely stored little

    second = start(serve, data_dir)
    assert wait_for_traces(second, ids(range(1, 51))) == ids(range(1, 51))


def test_sigterm_drains_the_writer_before_exit(tmp_path: Path, serve: list[ServeProcess]) -> None:
    """On SIGTERM the server stores everything acknowledged and leaves no WAL record unapplied."""
    data_dir = tmp_path / "data"
    server = start(serve, data_dir)
    send_traces(server, range(1, 31))
    # uvicorn re-raises the signal once its shutdown (and our lifespan's drain) is done.
    assert server.stop(signal.SIGTERM) in (0, -signal.SIGTERM), server.log()
    assert "Application shutdown complete" in server.log()

    wal = WriteAheadLog(data_dir / "wal", segment_bytes=1 << 20)
    try:
        assert list(wal.unapplied()) == []
        assert wal.applied_lsn == wal.next_lsn - 1 == 30
    finally:
        wal.close()

    settings, _ = load_settings(environ={}, overrides={"data_dir": data_dir})
    store = open_store(settings)  # the server is gone, so this process may own the directory
    try:
        now = time.time_ns()
        window = Window(start_ns=now - 3600 * 10**9, end_ns=now + 10**9)
        traces, _ = search_traces(store, TraceFilter(window=window), limit=1000)
    finally:
        store.close()
    assert {t["trace_id"] for t in traces} == ids(range(1, 31))
