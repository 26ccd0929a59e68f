"""`GET /api/v1/logs/templates`: the log templates of a window, with their counts in it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

from nightcall.api.params import Limit, TimeParam, request_window
from nightcall.store.queries_log_templates import list_log_templates
from nightcall.store.store import Store


def log_templates_router(store: Store, now_ns: Callable[[], int]) -> APIRouter:
    """The route bound to one store and one clock."""
    router = APIRouter(prefix="/api/v1", tags=["query"])

    @router.get(
        "/logs/templates",
        summary="Log templates with lines in the window, most lines first",
        description=(
            "One record per template: `service`, `template_id` (16 hex digits, as on log "
            "records), `template` (`<*>` marks a variable), `count` (lines in the window), "
            "`first_seen` (its first line ever, RFC 3339, with `first_seen_unix_nano`), "
            "`last_seen` (its last line in the window), `is_new` (first seen inside the "
            "window) and `severity` (its most common severity in the window). Sorted by "
            "`count`, highest first; filter `is_new` for templates that appeared. Ids merged "
            "into another template count for it. Default window: the last hour."
        ),
    )
    def log_templates(
        service: str | None = None,
        start: TimeParam = None,
        end: TimeParam = None,
        limit: Limit = 100,
    ) -> dict[str, Any]:
        window = request_window(start, end, now_ns=now_ns(), default_start="-1h")
        found = list_log_templates(store, window, service=service, limit=limit)
        return {"templates": found, "next": None}

    return router
