"""Parse the time forms the API and CLI accept: RFC 3339, Unix seconds, and relative forms."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from nightcall.errors import BadRequest

_RELATIVE = re.compile(r"^-(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$")
_UNIT_NS = {
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
    "d": 86_400_000_000_000,
    "w": 604_800_000_000_000,
}
_FORMS = "RFC 3339 (2026-11-22T03:00:00Z), Unix seconds (1795000000), 'now', or '-15m'/'-1h'/'-2d'"


def parse_time_ns(text: str, *, now_ns: int, location: str = "time") -> int:
    """Return Unix nanoseconds for `text`, reading relative forms against `now_ns`."""
    value = text.strip()
    if value == "now":
        return now_ns
    relative = _RELATIVE.match(value)
    if relative:
        return now_ns - int(float(relative.group(1)) * _UNIT_NS[relative.group(2)])
    if re.fullmatch(r"\d+(\.\d+)?", value):
        number = float(value)
        if number > 1e15:  # already nanoseconds, as OTLP's own fields are
            return int(value.split(".")[0])
        return int(number * 1e9)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(
            f"cannot read {text!r} as a time", location=location, hint="use " + _FORMS
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp()) * 1_000_000_000 + parsed.microsecond * 1000


def format_time_ns(unix_ns: int) -> str:
    """RFC 3339 in UTC with nanosecond precision, as the API prints times."""
    seconds, nanos = divmod(unix_ns, 1_000_000_000)
    base = datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{nanos:09d}Z"
