"""The web UI's routes: `/` and `/ui` lead to the single page, `/ui/static/...` serves its files.

The UI is static HTML, CSS and JavaScript modules (no build step) that call the public
`/api/v1` API from the browser with the API key the person gives it, so these routes need no
key themselves: they hand out the same files to everyone, and the data stays behind the API's
own checks. `nightcall serve` adds this router to the app (`create_app(runtime, routers=...)`),
since the api layer must not import the web layer above it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, RedirectResponse

from nightcall.errors import NotFound

STATIC_DIR = Path(__file__).parent / "static"
# Explicit, since some platforms' MIME tables map .js to text/plain, which browsers refuse to
# run as a module.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
# The browser checks with the server before reusing a file (ETag), so an upgrade shows at once.
NO_CACHE = {"Cache-Control": "no-cache"}
UI_PATH = "/ui/"


def static_file(relative: str) -> Path:
    """The file under STATIC_DIR that `relative` names; NotFound for anything else."""
    root = STATIC_DIR.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file() or path.suffix not in MEDIA_TYPES:
        raise NotFound(
            f"the web UI has no file {relative!r}",
            location="path",
            hint=f"open the UI at {UI_PATH}; its files are under /ui/static/",
        )
    return path


def web_router() -> APIRouter:
    """The UI's routes, left out of the OpenAPI document (they are not part of the API)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    @router.get("/ui")
    def to_ui() -> RedirectResponse:
        return RedirectResponse(UI_PATH, status_code=307)

    @router.get(UI_PATH)
    def index() -> FileResponse:
        return FileResponse(static_file("index.html"), media_type=MEDIA_TYPES[".html"],
                            headers=NO_CACHE)  # fmt: skip

    @router.get("/ui/static/{relative:path}")
    def static(relative: str) -> FileResponse:
        path = static_file(relative)
        return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=NO_CACHE)

    return router
