"""Read queries over log records."""

from __future__ import annotations

from typing import Any

from nightcall.errors import BadRequest
from nightcall.model import format_time_ns
from nightcall.store.connection import literal
from nightcall.store.queries_log_templates import (
    TemplateRow,
    format_template_id,
    load_templates,
)
from nightcall.store.queries_traces import Window
from nightcall.store.schema import LOGS
from nightcall.store.store import Store

# Orders records that share a timestamp. Records equal in every field it hashes are identical on
# the page, so the cursor counts how many of those it has returned instead of telling them apart.
_TIEBREAK = ("cityHash64(Body, SpanId, TraceId, ServiceName, SeverityText, SeverityNumber,"
             " LogAttributes, ResourceAttributes, ScopeName)")  # fmt: skip
SEVERITY_FLOOR = {"trace": 1, "debug": 5, "info": 9, "warn": 13, "warning": 13, "error": 17,
                  "fatal": 21}  # fmt: skip


def search_logs(
    store: Store,
    window: Window,
    *,
    service: str | None = None,
    severity: str | None = None,
    text: str | None = None,
    trace_id: str | None = None,
    limit: int,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Log records newest first; `severity` is a floor (`warn` includes errors).

    Each record's `template_id` (16 hex digits) and `template` are those of the live template
    its line belongs to; both are null for a record stored without mining.
    """
    conditions = [window.sql()]
    if service:
        conditions.append(f"ServiceName = {literal(service)}")
    if severity:
        floor = SEVERITY_FLOOR[severity.lower()]
        conditions.append(
            f"(SeverityNumber >= {floor} OR (SeverityNumber = 0 AND"
            f" upper(SeverityText) IN {_names_at_or_above(floor)}))"
        )
    if text:
        conditions.append(f"positionCaseInsensitive(Body, {literal(text)}) > 0")
    if trace_id:
        conditions.append(f"TraceId = {literal(trace_id.lower())}")
    key: tuple[int, int] | None = None
    seen = 0  # rows with exactly the cursor's key that earlier pages returned
    if cursor:
        key, seen = _read_cursor(cursor)
        conditions.append(
            f"(toUnixTimestamp64Nano(Timestamp), {_TIEBREAK}) <="
            f" ({literal(key[0])}, {literal(key[1])})"
        )
    rows = store.select(
        f"""
        SELECT toUnixTimestamp64Nano(Timestamp) AS ns, ServiceName, SeverityText, SeverityNumber,
               Body, LogAttributes, ResourceAttributes, TraceId, SpanId, ScopeName, TemplateId,
               {_TIEBREAK} AS tiebreak
        FROM {store.table(LOGS.name)}
        WHERE {" AND ".join(conditions)}
        ORDER BY ns DESC, tiebreak DESC
        LIMIT {literal(limit + 1 + seen)}
        """
    )
    rows = rows[sum(1 for row in rows[:seen] if _key(row) == key) :]
    catalog = load_templates(store, {int(row["TemplateId"]) for row in rows[:limit]})
    logs = [
        {
            "time": format_time_ns(int(row["ns"])),
            "time_unix_nano": int(row["ns"]),
            "service": row["ServiceName"],
            "severity": row["SeverityText"],
            "severity_number": int(row["SeverityNumber"]),
            "body": row["Body"],
            "attributes": row["LogAttributes"],
            "resource": row["ResourceAttributes"],
            "trace_id": row["TraceId"] or None,
            "span_id": row["SpanId"] or None,
            "scope": row["ScopeName"],
            **_template(int(row["TemplateId"]), catalog.live(int(row["TemplateId"]))),
        }
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        last = _key(rows[limit - 1])
        same = sum(1 for row in rows[:limit] if _key(row) == last)
        next_cursor = f"{last[0]}:{last[1]}:{same + (seen if last == key else 0)}"
    return logs, next_cursor


def _template(stored_id: int, live: TemplateRow | None) -> dict[str, str | None]:
    """A record's live template (ids merged into another resolve to it); nulls when unmined."""
    if live is None:
        return {"template_id": format_template_id(stored_id) if stored_id else None,
                "template": None}  # fmt: skip
    return {"template_id": format_template_id(live.template_id), "template": live.template}


def _read_cursor(cursor: str) -> tuple[tuple[int, int], int]:
    """The key of the last record a page returned, and how many records with that key it had."""
    ns, _, rest = cursor.partition(":")
    tiebreak, _, seen = rest.partition(":")
    try:
        return (int(ns), int(tiebreak or 0)), int(seen or 0)
    except ValueError:
        raise BadRequest(
            f"cursor {cursor!r} is not one this API gave out",
            location="cursor",
            hint="pass the `next` value of the previous page unchanged",
        ) from None


def _key(row: dict[str, Any]) -> tuple[int, int]:
    return int(row["ns"]), int(row["tiebreak"])


def _names_at_or_above(floor: int) -> str:
    names = [(1, "TRACE"), (5, "DEBUG"), (9, "INFO"), (13, "WARN"), (13, "WARNING"),
             (17, "ERROR"), (21, "FATAL"), (21, "CRITICAL")]  # fmt: skip
    return "(" + ", ".join(literal(name) for number, name in names if number >= floor) + ")"
