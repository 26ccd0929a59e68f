"""The UI's HTTP routes: the redirect to the page, its static files, and nothing else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from nightcall.api.errors import install_error_handlers
from nightcall.model import ItemCounters
from nightcall.web import STATIC_DIR, web_router


@pytest.fixture
def client() -> Iterator[TestClient]:
    """An app with only the UI's routes and the API's error handlers."""
    app = FastAPI()
    install_error_handlers(app, ItemCounters())
    app.include_router(web_router())
    with TestClient(app) as test_client:
        yield test_client


def test_root_leads_to_the_ui(client: TestClient) -> None:
    """/ and /ui redirect to /ui/, which serves the page without caching it stale."""
    for path in ("/", "/ui"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 307
        assert answer.headers["location"] == "/ui/"
    page = client.get("/ui/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="/ui/static/js/app.js">' in page.text


def test_static_files_carry_their_media_types(client: TestClient) -> None:
    """Modules are served as JavaScript (browsers refuse others), styles as CSS."""
    script = client.get("/ui/static/js/app.js")
    assert script.status_code == 200
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert client.get("/ui/static/css/app.css").headers["content-type"].startswith("text/css")


def test_only_files_of_the_ui_are_served(client: TestClient) -> None:
    """Paths outside the static folder, missing files and unknown types answer 404 in the API's
    error shape, with a hint."""
    for path in ("/ui/static/../routes.py", "/ui/static/%2e%2e/routes.py", "/ui/static/nope.js",
                 "/ui/static/js"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 404, path
        error = answer.json()["error"]
        assert error["code"] == "not_found"
        assert error["hint"]


def test_every_module_the_page_imports_exists() -> None:
    """Each relative import of a JavaScript module names a file that ships (no build step
    catches a typo)."""
    import re

    pattern = re.compile(r"""(?:from\s+|import\()\s*["'](\.{1,2}/[^"']+)["']""")
    missing = []
    for module in STATIC_DIR.rglob("*.js"):
        for target in pattern.findall(module.read_text()):
            if "${" in target:
                continue
            if not (module.parent / target).resolve().is_file():
                missing.append(f"{module.relative_to(STATIC_DIR)} -> {target}")
    pages = STATIC_DIR / "js" / "pages"
    routes = re.findall(r'"/[^"]*", "(\w+)"\]', (STATIC_DIR / "js" / "app.js").read_text())
    missing += [f"page {name}" for name in routes if not (pages / f"{name}.js").is_file()]
    assert routes
    assert not missing
