"""Browser tests: the web UI in headless Chromium, over a real server holding demo data.

Chromium is Debian's `chromium` package (Playwright's own browser download cannot work on these
machines), driven by Playwright for Python through `executable_path`; `make browser` installs
it. Without it the tests skip, naming the missing package. One browser per session and one
server per module keep the time down; every test gets its own page (a fresh context), and fails
if the page logged a console error or threw. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from nightcall.api.app import Runtime, create_app
from nightcall.api.server import build_runtime
from nightcall.config import load_settings
from nightcall.web import web_router
from tests.conftest import TEST_OVERRIDES

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_NAMES = ("chromium", "chromium-browser")
READY_JS = (
    "() => document.querySelector('#page .page') !== null"
    " && !document.querySelector('#page .state.loading')"
    " && !document.getElementById('busy').classList.contains('on')"
)


def chromium_path() -> str | None:
    """Debian's chromium (or NIGHTCALL_CHROMIUM), if this machine has it."""
    chosen = os.environ.get("NIGHTCALL_CHROMIUM")
    if chosen:
        return chosen
    return next((found for name in CHROMIUM_NAMES if (found := shutil.which(name))), None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole session, or a skip naming what is missing."""
    executable = chromium_path()
    if executable is None:
        pytest.skip("Debian's 'chromium' package is not installed: run `make browser` (as root)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the 'playwright' package is missing: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class UiServer:
    """A real server with the web UI on 127.0.0.1, for one test module."""

    url: str
    port: int
    runtime: Runtime


def start_ui_server(runtime: Runtime) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Run the app with the UI's router on an ephemeral port; returns once it listens."""
    app = create_app(runtime, routers=[web_router()])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-ui-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the UI test server did not start")
        time.sleep(0.01)
    return server, thread, int(server.servers[0].sockets[0].getsockname()[1])


@pytest.fixture(scope="module")
def make_ui_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., UiServer]]:
    """Starts UI servers over fresh data directories; stops them after the module."""
    running: list[tuple[uvicorn.Server, threading.Thread, Runtime]] = []

    def make(before_start: Callable[[Path], None] | None = None) -> UiServer:
        data_dir = tmp_path_factory.mktemp("ui") / "data"
        if before_start is not None:
            before_start(data_dir)
        settings, _ = load_settings(
            environ={}, overrides={"data_dir": data_dir, **TEST_OVERRIDES, "collect_host": False}
        )
        runtime = build_runtime(settings)
        server, thread, port = start_ui_server(runtime)
        running.append((server, thread, runtime))
        return UiServer(url=f"http://127.0.0.1:{port}", port=port, runtime=runtime)

    yield make
    for server, thread, runtime in running:
        server.should_exit = True
        thread.join(timeout=30)
        runtime.pipeline.close()
        runtime.store.close()


@dataclass
class PageProblems:
    """What a page logged as an error, or threw, while a test used it; `allowed` holds the
    fragments of messages a test provokes on purpose (a 401 before the key is given)."""

    messages: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def unexpected(self) -> list[str]:
        return [m for m in self.messages if not any(a in m for a in self.allowed)]


@pytest.fixture
def page_problems() -> PageProblems:
    """The console errors of this test's page."""
    return PageProblems()


@pytest.fixture
def page(browser: Any, page_problems: PageProblems) -> Iterator[Any]:
    """A fresh browser page (its own context: storage, key); fails the test on console errors."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()

    def on_console(message: Any) -> None:
        if message.type == "error":
            page_problems.messages.append(f"console.error: {message.text}")

    opened.on("console", on_console)
    opened.on("pageerror", lambda error: page_problems.messages.append(f"uncaught: {error}"))
    yield opened
    context.close()
    unexpected = page_problems.unexpected()
    assert not unexpected, "the page logged errors:\n" + "\n".join(unexpected)


def wait_ready(page: Any, timeout_s: float = 60) -> float:
    """Wait until the page has rendered (no panel loading, no request pending); seconds taken."""
    started = time.monotonic()
    page.wait_for_function(READY_JS, timeout=timeout_s * 1000)
    return time.monotonic() - started


def screenshot(page: Any, name: str) -> Path:
    """Save the page (its first 2,400 pixels) as artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    height = min(2400, int(page.evaluate("document.documentElement.scrollHeight")))
    page.screenshot(
        path=str(path), clip={"x": 0, "y": 0, "width": 1400, "height": height}, full_page=True
    )
    return path
