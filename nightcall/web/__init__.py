"""The web UI, served by the same app: a static single page that calls the `/api/v1` API."""

from nightcall.web.routes import STATIC_DIR, web_router

__all__ = ["STATIC_DIR", "web_router"]
