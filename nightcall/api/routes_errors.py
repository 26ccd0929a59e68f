"""The error-event API under /api/v1/errors: list events by filter, read one whole event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from nightcall.errors import BadRequest
from nightcall.model import parse_time_ns
from nightcall.store.queries_errors import ErrorFilter, get_error_event, search_errors
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

TimeParam = Annotated[
    str | None,
    Query(description="RFC 3339, Unix seconds, 'now', or relative like '-15m', '-1h', '-7d'."),
]
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
        now = now_ns()
        start_ns = parse_time_ns(start or "-24h", now_ns=now, location="start")
        end_ns = parse_time_ns(end or "now", now_ns=now, location="end")
        if end_ns <= start_ns:
            raise BadRequest(
                f"end ({end or 'now'}) is not after start ({start or '-24h'})",
                location="end",
                hint="give start before end",
            )
        query = ErrorFilter(
            window=Window(start_ns=start_ns, end_ns=end_ns + (1 if end is None else 0)),
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
