"""The error-event API under /api/v1/errors: list events by filter, read one whole event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from nightcall.api.params import TimeParam, request_window
from nightcall.errors import BadRequest
from nightcall.store.queries_errors import ErrorFilter, get_error_event, search_errors
from nightcall.store.store import Store

LEVELS = ("debug", "info", "warning", "error", "fatal")


def _tags(items: list[str] | None) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in items or []:
        key, sep, value = item.partition(":")
        if not sep or not key:
            raise BadRequest(
                f"tag {item!r} is not key:value",
                location="tag",
                hint="tag=browser:Chrome (repeat the parameter for several tags)",
            )
        pairs.append((key, value))
    return tuple(pairs)


def errors_router(store: Store, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one store and one clock."""
    router = APIRouter(prefix="/api/v1/errors", tags=["errors"])

    @router.get("/events", summary="Error events matching the filters, newest first")
    def events(
        service: str | None = None,
        release: str | None = None,
        environment: str | None = None,
        level: Annotated[str | None, Query(description="One of " + ", ".join(LEVELS))] = None,
        tag: Annotated[
            list[str] | None, Query(description="Tag filter key:value; repeatable.")
        ] = None,
        device: Annotated[str | None, Query(description="Device model.")] = None,
        os: Annotated[str | None, Query(description="OS name, or 'name version'.")] = None,
        q: Annotated[str | None, Query(description="Text in the exception type or value.")] = None,
        start: TimeParam = None,
        end: TimeParam = None,
        limit: Annotated[int, Query(ge=1, le=10_000, description="Most events.")] = 50,
        cursor: Annotated[str | None, Query(description="`next` of the previous page.")] = None,
    ) -> dict[str, Any]:
        if level and level.lower() not in LEVELS:
            raise BadRequest(
                f"level {level!r} is not a Sentry level",
                location="level",
                hint="one of " + ", ".join(LEVELS),
            )
        query = ErrorFilter(
            window=request_window(start, end, now_ns=now_ns(), default_start="-24h"),
            service=service,
            release=release,
            environment=environment,
            level=level,
            tags=_tags(tag),
            device=device,
            os=os,
            text=q,
        )
        found, next_cursor = search_errors(store, query, limit=limit, cursor=cursor)
        return {"events": found, "next": next_cursor}

    @router.get("/events/{event_id}", summary="One event with every frame and breadcrumb")
    def event(event_id: str) -> dict[str, Any]:
        return get_error_event(store, event_id)

    return router
