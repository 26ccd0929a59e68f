"""Query parameters every API router shares: times, windows, limits and cursors."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from nightcall.errors import BadRequest
from nightcall.model import parse_time_ns
from nightcall.store.queries_traces import Window

TimeParam = Annotated[
    str | None,
    Query(description="RFC 3339, Unix seconds, 'now', or relative like '-15m', '-1h', '-7d'."),
]
Limit = Annotated[int, Query(ge=1, le=10_000, description="Most items in one page.")]
Cursor = Annotated[str | None, Query(description="The `next` value of the previous page.")]


def request_window(
    start: str | None, end: str | None, *, now_ns: int, default_start: str
) -> Window:
    """The half-open window a request asks for; `end` defaults to now, inclusive of now."""
    start_ns = parse_time_ns(start or default_start, now_ns=now_ns, location="start")
    end_ns = parse_time_ns(end or "now", now_ns=now_ns, location="end")
    if end_ns <= start_ns:
        raise BadRequest(
            f"end ({end or 'now'}) is not after start ({start or default_start})",
            location="end",
            hint="give start before end",
        )
    return Window(start_ns=start_ns, end_ns=end_ns + (1 if end is None else 0))
