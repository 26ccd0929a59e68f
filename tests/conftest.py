"""Factory fixtures around real parts: the embedded store, the app in-process, a real server.

chDB holds one data directory per process at a time, so every fixture that opens a store closes
it on teardown, and a test uses at most one of `store`, `runtime`, `app_client` and `server`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from nightcall.api.app import Runtime, create_app
from nightcall.api.keys import KeyRing
from nightcall.api.server import build_runtime
from nightcall.config import Settings, load_settings
from nightcall.store.store import Store, open_store

# Fast writer, small limits: tests see stored rows quickly and can reach the limits.
TEST_OVERRIDES: dict[str, object] = {
    "writer_interval_s": 0.05,
    "retention_days": 0,
    "statsd_port": 0,
    "diagnosis_interval_s": 0,  # tests that want the loop turn it on themselves
}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A fresh data directory."""
    return tmp_path / "data"


@pytest.fixture
def make_settings(data_dir: Path) -> Callable[..., Settings]:
    """Settings for `data_dir` with test-friendly defaults; keyword arguments override."""

    def make(**overrides: object) -> Settings:
        settings, _ = load_settings(
            environ={}, overrides={"data_dir": data_dir, **TEST_OVERRIDES, **overrides}
        )
        return settings

    return make


@pytest.fixture
def store(make_settings: Callable[..., Settings]) -> Iterator[Store]:
    """The real embedded store with nightcall's schema, closed after the test."""
    opened = open_store(make_settings())
    yield opened
    opened.close()


@pytest.fixture
def make_runtime(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., Runtime]]:
    """Builds one runtime (store, WAL pipeline, keys); drains and closes it after the test."""
    built: list[Runtime] = []

    def make(**overrides: object) -> Runtime:
        runtime = build_runtime(make_settings(**overrides))
        built.append(runtime)
        return runtime

    yield make
    for runtime in built:
        runtime.pipeline.close()
        runtime.store.close()


@pytest.fixture
def runtime(make_runtime: Callable[..., Runtime]) -> Runtime:
    """A runtime with default test settings."""
    return make_runtime()


@pytest.fixture
def app_client(runtime: Runtime) -> Iterator[TestClient]:
    """The app in-process (ASGI), over the real store and WAL."""
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        yield client


@dataclass
class RunningServer:
    """A real uvicorn server on 127.0.0.1 with an ephemeral port."""

    url: str
    port: int
    runtime: Runtime

    def flush(self, timeout_s: float = 30.0) -> None:
        """Wait until every acknowledged item is in the store."""
        assert self.runtime.pipeline.wait_until_stored(timeout_s), "the writer did not drain"


def start_server(runtime: Runtime) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Run the app on 127.0.0.1:0 in a thread; returns once it listens."""
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=0, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = int(server.servers[0].sockets[0].getsockname()[1])
    return server, thread, port


@pytest.fixture
def make_server(make_runtime: Callable[..., Runtime]) -> Iterator[Callable[..., RunningServer]]:
    """Starts a real server with settings overrides; stops it after the test."""
    running: list[tuple[uvicorn.Server, threading.Thread]] = []

    def make(**overrides: object) -> RunningServer:
        runtime = make_runtime(**overrides)
        server, thread, port = start_server(runtime)
        running.append((server, thread))
        return RunningServer(url=f"http://127.0.0.1:{port}", port=port, runtime=runtime)

    yield make
    for server, thread in running:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def server(make_server: Callable[..., RunningServer]) -> RunningServer:
    """A real server with default test settings."""
    return make_server()


@pytest.fixture
def keyring(data_dir: Path) -> KeyRing:
    """The key file of `data_dir` (create keys before starting a server to turn auth on)."""
    return KeyRing(data_dir / "keys.json")


class _ErrorRecorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def _fail_on_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail any test in which the server logged an error, unless it says it expects one."""
    recorder = _ErrorRecorder()
    watched = [logging.getLogger(name) for name in ("nightcall", "uvicorn.error")]
    for logger in watched:
        logger.addHandler(recorder)
    yield
    for logger in watched:
        logger.removeHandler(recorder)
    if recorder.records and not request.node.get_closest_marker("allow_server_errors"):
        lines = [f"{r.name}: {r.getMessage()}" for r in recorder.records]
        pytest.fail("the server logged errors:\n" + "\n".join(lines))


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "allow_server_errors: the test provokes errors the server logs on purpose"
    )


GOLDEN_DIR = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the output"
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Compare text with tests/golden/NAME, or rewrite it under `--update-golden`."""

    def check(name: str, text: str) -> None:
        path = GOLDEN_DIR / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert path.exists(), f"{path} is missing: run pytest --update-golden"
        assert text == path.read_text(), f"{name} differs from its golden file"

    return check
