"""Read queries over error events (from Sentry SDKs): a filtered list, and one whole event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from nightcall.errors import BadRequest, NotFound
from nightcall.model import format_time_ns
from nightcall.store.connection import literal
from nightcall.store.queries_traces import Window
from nightcall.store.schema import ERROR_EVENTS
from nightcall.store.store import Store

_TIEBREAK = "cityHash64(EventId)"
_SUMMARY_COLUMNS = (
    "toUnixTimestamp64Nano(Timestamp) AS ns, EventId, ServiceName, Level, ExceptionType, "
    "ExceptionValue, Release, Environment, Tags, DeviceModel, OsName, OsVersion, AppVersion, "
    "UserId, TraceId, Platform, ProjectId"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorFilter:
    """Which events to list; every given field must match."""

    window: Window
    service: str | None = None
    release: str | None = None
    environment: str | None = None
    level: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    device: str | None = None
    os: str | None = None
    text: str | None = None

    def conditions(self) -> list[str]:
        found = [self.window.sql()]
        for column, value in (
            ("ServiceName", self.service),
            ("Release", self.release),
            ("Environment", self.environment),
            ("Level", self.level and self.level.lower()),
            ("DeviceModel", self.device),
        ):
            if value:
                found.append(f"{column} = {literal(value)}")
        if self.os:
            # "iOS" matches the name; "iOS 17.2" the name and version.
            found.append(
                f"(OsName = {literal(self.os)} OR concat(OsName, ' ', OsVersion) = "
                f"{literal(self.os)})"
            )
        for key, value in self.tags:
            found.append(f"Tags[{literal(key)}] = {literal(value)}")
        if self.text:
            found.append(
                f"positionCaseInsensitive(concat(ExceptionType, ': ', ExceptionValue),"
                f" {literal(self.text)}) > 0"
            )
        return found


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    os_text = " ".join(part for part in (row["OsName"], row["OsVersion"]) if part)
    return {
        "event_id": row["EventId"],
        "time": format_time_ns(int(row["ns"])),
        "time_unix_nano": int(row["ns"]),
        "service": row["ServiceName"],
        "level": row["Level"],
        "exception_type": row["ExceptionType"] or None,
        "exception_value": row["ExceptionValue"],
        "release": row["Release"] or None,
        "environment": row["Environment"] or None,
        "tags": row["Tags"],
        "device": row["DeviceModel"] or None,
        "os": os_text or None,
        "app_version": row["AppVersion"] or None,
        "user_id": row["UserId"] or None,
        "trace_id": row["TraceId"] or None,
        "platform": row["Platform"] or None,
        "project_id": row["ProjectId"],
    }


def search_errors(
    store: Store, query: ErrorFilter, *, limit: int, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Error events newest first, and the cursor of the next page (None on the last)."""
    conditions = query.conditions()
    if cursor:
        ns, tiebreak = _read_cursor(cursor)
        conditions.append(
            f"(toUnixTimestamp64Nano(Timestamp), {_TIEBREAK})"
            f" < ({literal(ns)}, {literal(tiebreak)})"
        )
    rows = store.select(
        f"""
        SELECT {_SUMMARY_COLUMNS}, {_TIEBREAK} AS tiebreak
        FROM {store.table(ERROR_EVENTS.name)}
        WHERE {" AND ".join(conditions)}
        ORDER BY ns DESC, tiebreak DESC
        LIMIT {literal(limit + 1)}
        """
    )
    events = [_summary(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = f"{int(last['ns'])}:{int(last['tiebreak'])}"
    return events, next_cursor


def get_error_event(store: Store, event_id: str) -> dict[str, Any]:
    """One event with every exception, frame and breadcrumb, and the event as received.

    Raises:
        NotFound: no event has this id.
    """
    wanted = event_id.replace("-", "").lower()
    rows = store.select(
        f"""
        SELECT {_SUMMARY_COLUMNS}, Contexts, Event
        FROM {store.table(ERROR_EVENTS.name)}
        WHERE EventId = {literal(wanted)}
        ORDER BY ns DESC
        LIMIT 1
        """
    )
    if not rows:
        raise NotFound(
            f"no error event has id {event_id!r}",
            location="event_id",
            hint="list ids with `nightcall errors events` or GET /api/v1/errors/events",
        )
    row = rows[0]
    event = orjson.loads(row["Event"])
    exception = event.get("exception") if isinstance(event, dict) else None
    breadcrumbs = event.get("breadcrumbs") if isinstance(event, dict) else None
    return {
        **_summary(row),
        "contexts": row["Contexts"],
        "exceptions": (exception or {}).get("values", []),
        "breadcrumbs": (breadcrumbs or {}).get("values", []),
        "message": _message(event),
        "user": event.get("user"),
        "event": event,
    }


def _message(event: dict[str, Any]) -> str | None:
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        return logentry.get("formatted") or logentry.get("message")
    message = event.get("message")
    return message if isinstance(message, str) else None


def _read_cursor(cursor: str) -> tuple[int, int]:
    ns, _, tiebreak = cursor.partition(":")
    try:
        return int(ns), int(tiebreak)
    except ValueError:
        raise BadRequest(
            f"cursor {cursor!r} is not one this API gave out",
            location="cursor",
            hint="pass the `next` value of the previous page unchanged",
        ) from None
