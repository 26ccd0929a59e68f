"""The UI's shell in a browser: the API-key prompt, state in the URL, keyboard and theme."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from nightcall.api.keys import KeyKind, KeyRing
from tests.web.conftest import PageProblems, UiServer, screenshot, wait_ready


@pytest.fixture(scope="module")
def keyed(make_ui_server: Callable[..., UiServer]) -> tuple[UiServer, str]:
    """A server without data whose API needs a key, and that key's secret."""
    secrets: list[str] = []

    def create_key(data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        _, secret = KeyRing(data_dir / "keys.json").create(KeyKind.API)
        secrets.append(secret)

    server = make_ui_server(before_start=create_key)
    return server, secrets[0]


def _sign_in(page: Any, server: UiServer, secret: str) -> None:
    """Open the UI with `secret` already in the tab's session storage (no 401 first)."""
    page.add_init_script(f"sessionStorage.setItem('nightcall.key', {json.dumps(secret)})")
    page.goto(f"{server.url}/ui/")
    wait_ready(page)


def test_the_ui_asks_for_a_key_and_sends_it(
    keyed: tuple[UiServer, str], page: Any, page_problems: PageProblems
) -> None:
    """Without a key the API answers 401 and the UI asks for one; with it the pages load, and
    "Forget key" asks again."""
    server, secret = keyed
    page_problems.allowed.append("status of 401")
    page.goto(f"{server.url}/ui/")
    page.wait_for_selector("#key-dialog[open]")
    screenshot(page, "key-prompt")
    page.fill("#key-input", secret)
    page.press("#key-input", "Enter")
    wait_ready(page)
    assert page.locator("#page .state.error").count() == 0
    assert "No service sent spans" in page.locator("#services").inner_text()
    page.get_by_role("button", name="Forget key").click()
    page.wait_for_selector("#key-dialog[open]")


def test_a_refused_key_shows_the_api_message(
    keyed: tuple[UiServer, str], page: Any, page_problems: PageProblems
) -> None:
    """A wrong key leaves the API's own message and hint on the page, and the way to fix it."""
    server, _ = keyed
    page_problems.allowed.append("status of 401")
    _sign_in(page, server, "not-a-key")
    page.wait_for_selector("#key-dialog[open]")
    page.locator("#key-cancel").click()
    error = page.locator("#page .state.error").first
    assert "is not a live api key" in error.inner_text()
    assert "nightcall keys list" in error.inner_text()
    assert page.locator("#page [data-action=ask-key]").count() >= 1


def test_the_time_range_lives_in_the_url(keyed: tuple[UiServer, str], page: Any) -> None:
    """A chosen range is in the URL, survives moving to another page by keyboard and a reload,
    and the window arrows turn it into an absolute range."""
    server, secret = keyed
    _sign_in(page, server, secret)
    page.click("#range-button")
    page.get_by_role("button", name="Last 6 hours").click()
    wait_ready(page)
    assert "from=-6h" in page.url
    page.keyboard.press("g")
    page.keyboard.press("t")
    page.wait_for_url("**/ui/#/traces?*")
    wait_ready(page)
    assert "from=-6h" in page.url
    page.reload()
    wait_ready(page)
    assert page.locator("#range-button").inner_text() == "Last 6 hours"
    page.keyboard.press("[")
    wait_ready(page)
    assert "from=20" in page.url
    assert "to=20" in page.url


def test_the_theme_toggle_is_remembered(keyed: tuple[UiServer, str], page: Any) -> None:
    """The theme button moves from the system's choice to dark, and a reload keeps it."""
    server, secret = keyed
    _sign_in(page, server, secret)
    assert page.evaluate("document.documentElement.dataset.theme") is None
    page.click("#theme-button")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.reload()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"


def test_an_unknown_page_says_so(keyed: tuple[UiServer, str], page: Any) -> None:
    """A URL for no page shows where to go instead of a blank screen."""
    server, secret = keyed
    _sign_in(page, server, secret)
    page.goto(f"{server.url}/ui/#/nowhere")
    wait_ready(page)
    assert "no page at /nowhere" in page.locator("#page .state.error").inner_text()
