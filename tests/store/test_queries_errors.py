"""Error-event queries over events decoded by the Sentry decoder: filters, paging, one event."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from nightcall.errors import BadRequest, NotFound
from nightcall.ingest.sentry import encode_error_rows, event_row
from nightcall.store.queries_errors import ErrorFilter, get_error_event, search_errors
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

BASE_S = 1_763_884_800  # 2025-11-23T08:00:00Z
ALL_TIME = Window(start_ns=0, end_ns=(BASE_S + 10_000) * 1_000_000_000)


def _event(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"{number:032x}",
        "timestamp": BASE_S + number * 60,
        "level": "error",
        "platform": "cocoa",
        "release": "app@2.0" if number % 2 else "app@1.9",
        "environment": "prod",
        "tags": {"service": "ios-app", "screen": "cart" if number < 3 else "home"},
        "contexts": {
            "device": {"model": "iPhone15,2" if number % 3 else "iPhone12,1"},
            "os": {"name": "iOS", "version": "17.2"},
        },
        "exception": {
            "values": [
                {
                    "type": "NSRangeException" if number != 4 else "SIGSEGV",
                    "value": f"index {number} beyond bounds",
                    "stacktrace": {
                        "frames": [{"function": f"f{i}", "lineno": i} for i in range(20)]
                    },
                }
            ]
        },
        "breadcrumbs": [{"message": f"tap {i}"} for i in range(5)],
        **fields,
    }


@pytest.fixture
def loaded(store: Store) -> Store:
    """Six events a minute apart, inserted the way ingest writes them."""
    rows = [event_row(_event(n), project_id="1", received_ns=0) for n in range(6)]
    batch = encode_error_rows(rows)
    assert batch is not None
    store.insert_batches([batch])
    return store


def _ids(events: list[dict[str, Any]]) -> list[int]:
    return [int(e["event_id"], 16) for e in events]


def test_filters_by_tag_release_device_os_and_time(loaded: Store) -> None:
    """Each filter keeps exactly the events that match it, newest first."""

    def ids(window: Window = ALL_TIME, **filters: Any) -> list[int]:
        found, _ = search_errors(loaded, ErrorFilter(window=window, **filters), limit=100)
        return _ids(found)

    assert ids() == [5, 4, 3, 2, 1, 0]
    assert ids(tags=(("screen", "cart"),)) == [2, 1, 0]
    assert ids(tags=(("screen", "cart"), ("service", "ios-app"))) == [2, 1, 0]
    assert ids(release="app@2.0") == [5, 3, 1]
    assert ids(device="iPhone12,1") == [3, 0]
    assert ids(os="iOS 17.2") == ids(os="iOS") == [5, 4, 3, 2, 1, 0]
    assert ids(os="Android") == []
    assert ids(text="sigsegv") == [4]
    assert ids(service="ios-app", level="ERROR") == [5, 4, 3, 2, 1, 0]
    window = Window(start_ns=(BASE_S + 60) * 1_000_000_000, end_ns=(BASE_S + 180) * 1_000_000_000)
    assert ids(window) == [2, 1]


def test_pages_follow_the_cursor(loaded: Store) -> None:
    """Pages of two walk every event once, and the last page has no cursor."""
    seen: list[int] = []
    cursor = None
    for _ in range(4):
        found, cursor = search_errors(loaded, ErrorFilter(window=ALL_TIME), limit=2, cursor=cursor)
        seen += _ids(found)
        if cursor is None:
            break
    assert seen == [5, 4, 3, 2, 1, 0]
    assert cursor is None
    with pytest.raises(BadRequest):
        search_errors(loaded, ErrorFilter(window=ALL_TIME), limit=2, cursor="nonsense")


def test_summary_record_fields(loaded: Store) -> None:
    """A listed event is a flat snake_case record with RFC 3339 time and context fields."""
    found, _ = search_errors(loaded, ErrorFilter(window=ALL_TIME), limit=1)
    assert found[0] == {
        "event_id": f"{5:032x}",
        "time": "2025-11-23T08:05:00.000000000Z",
        "time_unix_nano": (BASE_S + 300) * 1_000_000_000,
        "service": "ios-app",
        "level": "error",
        "exception_type": "NSRangeException",
        "exception_value": "index 5 beyond bounds",
        "release": "app@2.0",
        "environment": "prod",
        "tags": {"service": "ios-app", "screen": "home"},
        "device": "iPhone15,2",
        "os": "iOS 17.2",
        "app_version": None,
        "user_id": None,
        "trace_id": None,
        "platform": "cocoa",
        "project_id": "1",
    }


def test_one_event_has_every_frame_and_breadcrumb(loaded: Store) -> None:
    """The full event comes back with all 20 frames and 5 breadcrumbs; unknown ids are 404."""
    event = get_error_event(loaded, f"{2:032x}")
    frames = event["exceptions"][0]["stacktrace"]["frames"]
    assert [f["function"] for f in frames] == [f"f{i}" for i in range(20)]
    assert [b["message"] for b in event["breadcrumbs"]] == [f"tap {i}" for i in range(5)]
    assert event["contexts"]["device.model"] == "iPhone15,2"
    assert orjson.loads(orjson.dumps(event["event"]))["platform"] == "cocoa"
    with pytest.raises(NotFound):
        get_error_event(loaded, "f" * 32)
