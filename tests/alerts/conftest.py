"""Fixtures for alerting: a clock tests move by hand, and real local webhook receivers."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest

START_NS = 1_800_000_000 * 10**9


@dataclass
class Clock:
    """Unix nanoseconds that move only when a test says so."""

    now: int = START_NS

    def __call__(self) -> int:
        return self.now

    def advance(self, seconds: float) -> int:
        self.now += int(seconds * 1e9)
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A clock at a fixed start."""
    return Clock()


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that answers from a script, then 200.

    `script` holds one behaviour per request, in order: an HTTP status to answer, or "hang"
    (answer nothing until the test ends). Every request body is kept in `bodies`.
    """

    url: str
    script: list[int | str]
    bodies: list[dict[str, Any]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    received: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))

    def wait_for(self, count: int, timeout_s: float = 10.0) -> None:
        """Block until `count` more requests arrived."""
        for _ in range(count):
            assert self.received.acquire(timeout=timeout_s), "the receiver got too few requests"


def _handler(receiver_box: list[Receiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = receiver_box[0]
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver.bodies.append(orjson.loads(body))
            action = receiver.script.pop(0) if receiver.script else 200
            receiver.received.release()
            if action == "hang":
                receiver.released.wait(30)
                return
            self.send_response(int(action))
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads `bodies`, not the console."""

    return Handler


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., Receiver]]:
    """Starts webhook receivers that follow a script; stops them after the test."""
    servers: list[tuple[ThreadingHTTPServer, Receiver]] = []

    def make(script: list[int | str] | None = None) -> Receiver:
        box: list[Receiver] = []
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
        server.daemon_threads = True
        receiver = Receiver(
            url=f"http://127.0.0.1:{server.server_address[1]}/hook", script=list(script or [])
        )
        box.append(receiver)
        threading.Thread(
            target=server.serve_forever, args=(0.02,), name="test-receiver", daemon=True
        ).start()
        servers.append((server, receiver))
        return receiver

    yield make
    for server, receiver in servers:
        receiver.released.set()
        server.shutdown()
        server.server_close()
