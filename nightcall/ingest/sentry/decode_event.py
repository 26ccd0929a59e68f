"""Sentry error events (JSON) → rows of `nightcall_error_events`, keeping the whole event.

The filter columns (service, level, release, exception type, device, os, ...) are read out of
the event; the event itself is kept, normalized so `exception` and `breadcrumbs` are always
`{"values": [...]}`, in the `Event` column. Ingest never analyses: `Fingerprint` stays empty
until grouping runs.

The service name is the `service` or `service.name` tag, else `server_name`, else
`sentry-project-<project id>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import orjson

from nightcall.errors import DecodeError
from nightcall.model import EncodedBatch

TABLE = "nightcall_error_events"
COLUMNS = ("TsNs", "EventId", "ProjectId", "ServiceName", "ResourceAttributes", "ScopeName",
           "ScopeVersion", "Level", "Platform", "Release", "Environment", "ExceptionType",
           "ExceptionValue", "Fingerprint", "UserId", "TraceId", "Tags", "Contexts", "Event",
           "DeviceModel", "OsName", "OsVersion", "AppVersion")  # fmt: skip
_MAX_SECONDS = 9_223_372_036  # Int64 nanoseconds run out in 2262


def timestamp_ns(value: Any, *, default_ns: int) -> int:
    """A Sentry timestamp (Unix seconds as a number, or RFC 3339 text) as Unix nanoseconds."""
    if isinstance(value, bool):
        return default_ns
    if isinstance(value, int | float):
        # DateTime64(9) spans 1970 to 2262: anything else is a broken clock, not a time.
        return int(value * 1_000_000_000) if 0 < value < _MAX_SECONDS else default_ns
    if isinstance(value, str) and value:
        text = value.strip()
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                return timestamp_ns(float(text), default_ns=default_ns)
            except ValueError:
                return default_ns
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)  # Sentry reads a naive timestamp as UTC
        return timestamp_ns(parsed.timestamp(), default_ns=default_ns)
    return default_ns


def text(value: Any) -> str:
    """A value as the string a Map(String, String) cell holds."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def values_of(value: Any) -> list[Any]:
    """A Sentry list field, sent either as `{"values": [...]}` or as a bare list."""
    if isinstance(value, Mapping):
        value = value.get("values")
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def mapping_at(event: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """The object under `key`, or an empty one when it is missing or not an object."""
    value = event.get(key)
    return value if isinstance(value, Mapping) else {}


def tags_of(value: Any) -> dict[str, str]:
    """Tags, sent as an object or as a list of [key, value] pairs."""
    if isinstance(value, Mapping):
        return {str(k): text(v) for k, v in value.items()}
    if isinstance(value, list):
        return {
            str(pair[0]): text(pair[1])
            for pair in value
            if isinstance(pair, list | tuple) and len(pair) == 2
        }
    return {}


def _contexts(value: Any) -> dict[str, str]:
    """Contexts flattened one level: {"device": {"model": "X"}} → {"device.model": "X"}."""
    flat: dict[str, str] = {}
    if not isinstance(value, Mapping):
        return flat
    for name, context in value.items():
        if isinstance(context, Mapping):
            for key, item in context.items():
                flat[f"{name}.{key}"] = text(item)
        else:
            flat[str(name)] = text(context)
    return flat


def service_name(tags: Mapping[str, str], event: Mapping[str, Any], project_id: str) -> str:
    """The `service`/`service.name` tag, else `server_name`, else `sentry-project-<id>`."""
    named = tags.get("service") or tags.get("service.name") or event.get("server_name")
    return named if isinstance(named, str) and named else f"sentry-project-{project_id}"


def _message(event: Mapping[str, Any]) -> str:
    logentry = event.get("logentry")
    if isinstance(logentry, Mapping):
        found = logentry.get("formatted") or logentry.get("message")
        if isinstance(found, str):
            return found
    message = event.get("message")
    if isinstance(message, Mapping):
        message = message.get("formatted") or message.get("message")
    return message if isinstance(message, str) else ""


def _user_id(user: Any) -> str:
    if not isinstance(user, Mapping):
        return ""
    for field in ("id", "username", "email", "ip_address"):
        if user.get(field):
            return text(user[field])
    return ""


def normalize_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """The event with `exception` and `breadcrumbs` as `{"values": [...]}`, ready to keep."""
    kept = dict(event)
    if "exception" in kept:
        kept["exception"] = {"values": values_of(kept["exception"])}
    if "breadcrumbs" in kept:
        kept["breadcrumbs"] = {"values": values_of(kept["breadcrumbs"])}
    return kept


def event_row(
    payload: bytes | Mapping[str, Any], *, project_id: str, received_ns: int
) -> list[Any]:
    """One insert row (in `COLUMNS` order) for an event.

    Raises:
        DecodeError: the payload is not a JSON object.
    """
    event = json_object(payload) if isinstance(payload, bytes) else payload
    kept = normalize_event(event)
    tags = tags_of(event.get("tags"))
    flat = _contexts(mapping_at(event, "contexts"))
    exceptions = kept.get("exception", {}).get("values", [])
    main = exceptions[-1] if exceptions else {}  # Sentry lists the chain innermost first
    sdk = mapping_at(event, "sdk")
    level = text(event.get("level") or ("error" if exceptions else "info")).lower()
    event_id = text(event.get("event_id")).replace("-", "").lower()
    os_name = flat.get("os.name", "") or flat.get("client_os.name", "")
    resource = {"sentry.project": project_id}
    if isinstance(event.get("server_name"), str):
        resource["host.name"] = event["server_name"]
    return [
        timestamp_ns(event.get("timestamp"), default_ns=received_ns),
        event_id,
        project_id,
        service_name(tags, event, project_id),
        resource,
        text(sdk.get("name")) or "sentry",
        text(sdk.get("version")),
        level,
        text(event.get("platform")),
        text(event.get("release")),
        text(event.get("environment")),
        text(main.get("type")),
        text(main.get("value")) or _message(event),
        "",
        _user_id(event.get("user")),
        flat.get("trace.trace_id", ""),
        tags,
        flat,
        orjson.dumps(kept, option=orjson.OPT_NON_STR_KEYS).decode(),
        flat.get("device.model", ""),
        os_name,
        flat.get("os.version", "") or flat.get("client_os.version", ""),
        flat.get("app.app_version", "") or flat.get("app.version", ""),
    ]


def encode_error_rows(rows: Iterable[list[Any]]) -> EncodedBatch | None:
    """One `nightcall_error_events` batch, or None when there are no rows."""
    rows = list(rows)
    if not rows:
        return None
    columns = [list(column) for column in zip(*rows, strict=True)]
    return EncodedBatch(table=TABLE, columns=COLUMNS, payload=orjson.dumps(columns), rows=len(rows))


def json_object(payload: bytes) -> dict[str, Any]:
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(
            f"the event is not valid JSON ({exc}): {payload[:60]!r}",
            location="event",
            hint="send the event as one JSON object",
        ) from None
    if not isinstance(value, dict):
        raise DecodeError(
            f"the event is JSON {type(value).__name__}, not an object",
            location="event",
            hint="send the event as one JSON object",
        )
    return value
