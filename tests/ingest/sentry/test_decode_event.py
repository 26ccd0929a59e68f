"""Event rows: the service-name rule, timestamps, contexts, and items of every type."""

from __future__ import annotations

import json
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from nightcall.ingest.sentry import decode_envelope, decode_envelope_items, event_row
from nightcall.ingest.sentry.decode_event import COLUMNS, timestamp_ns


def _row(event: dict[str, Any]) -> dict[str, Any]:
    return dict(zip(COLUMNS, event_row(event, project_id="9", received_ns=5), strict=True))


def test_service_name_prefers_tag_then_server_name_then_project() -> None:
    """`service`/`service.name` tag, else `server_name`, else `sentry-project-<id>`."""
    assert _row({"tags": {"service.name": "api"}, "server_name": "h"})["ServiceName"] == "api"
    assert _row({"tags": [["service", "web"]]})["ServiceName"] == "web"
    assert _row({"server_name": "host-1"})["ServiceName"] == "host-1"
    assert _row({})["ServiceName"] == "sentry-project-9"


def test_timestamps_numbers_text_and_missing() -> None:
    """Unix seconds and RFC 3339 text both become nanoseconds; a missing one is the arrival."""
    assert timestamp_ns(1_700_000_000.5, default_ns=0) == 1_700_000_000_500_000_000
    assert timestamp_ns("2023-11-14T22:13:20Z", default_ns=0) == 1_700_000_000_000_000_000
    assert timestamp_ns(None, default_ns=7) == 7
    assert timestamp_ns("garbage", default_ns=7) == 7


def test_event_fields_and_kept_json() -> None:
    """Filter columns come from contexts and the exception chain; the event is kept whole."""
    row = _row({
        "event_id": "AB-CD", "level": "fatal", "release": "r1", "environment": "e",
        "user": {"email": "a@b.c"},
        "contexts": {"device": {"model": "SM-G991B"}, "os": {"name": "Android", "version": 13},
                     "app": {"app_version": "3.2"}, "trace": {"trace_id": "ab" * 16}},
        "exception": [{"type": "Inner"}, {"type": "Outer", "value": "boom"}],
        "breadcrumbs": [{"message": "m"}],
    })  # fmt: skip
    assert (row["EventId"], row["Level"], row["UserId"]) == ("abcd", "fatal", "a@b.c")
    assert (row["ExceptionType"], row["ExceptionValue"]) == ("Outer", "boom")
    assert (row["DeviceModel"], row["OsName"], row["OsVersion"], row["AppVersion"]) == (
        "SM-G991B", "Android", "13", "3.2",
    )  # fmt: skip
    assert row["TraceId"] == "ab" * 16
    assert row["Fingerprint"] == ""
    kept = orjson.loads(row["Event"])
    assert kept["exception"] == {"values": [{"type": "Inner"}, {"type": "Outer", "value": "boom"}]}
    assert kept["breadcrumbs"] == {"values": [{"message": "m"}]}


def test_message_event_without_exception() -> None:
    """A captured message fills the value column from `logentry`."""
    row = _row({"logentry": {"formatted": "disk almost full"}, "level": "warning"})
    assert (row["ExceptionType"], row["ExceptionValue"], row["Level"]) == (
        "", "disk almost full", "warning",
    )  # fmt: skip


def test_sessions_aggregates_become_points() -> None:
    """A `sessions` aggregate yields started plus one point per end status."""
    payload = orjson.dumps({
        "aggregates": [{"started": "2024-01-01T00:00:00Z", "exited": 8, "crashed": 2}],
        "attrs": {"release": "1.0", "environment": "prod"},
    })  # fmt: skip
    envelope = decode_envelope(b'{}\n{"type":"sessions"}\n' + payload + b"\n")
    decoded = decode_envelope_items(envelope, project_id="1", received_ns=0)
    [metrics] = decoded.requests
    assert metrics.accepted == 3
    assert b"sentry.sessions" in metrics.batches[0].payload


_KEYS = st.sampled_from(
    ["exception", "tags", "contexts", "timestamp", "user", "values", "spans", "type", "level"]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@given(_JSON)
def test_any_json_item_is_stored_or_counted(value: Any) -> None:
    """Whatever JSON an item holds, decoding stores it or counts it as malformed, never raises."""
    payload = json.dumps(value).encode()  # stdlib: it writes any int, and NaN, as orjson won't
    for kind in ("event", "transaction", "session", "sessions"):
        envelope = decode_envelope(b'{}\n{"type":"%s"}\n' % kind.encode() + payload + b"\n")
        decoded = decode_envelope_items(envelope, project_id="1", received_ns=1)
        stored = sum(r.accepted + r.rejected for r in decoded.requests)
        assert stored or decoded.dropped or kind.startswith("session")
