"""The queries behind error groups, over events and sessions decoded by the Sentry decoders."""

from __future__ import annotations

from typing import Any

import orjson

from nightcall.ingest.sentry import decode_envelope, decode_envelope_items
from nightcall.store.queries_error_groups import (
    fetch_event_parts,
    fetch_occurrences,
    fetch_prior_occurrences,
    population,
    release_first_seen,
    releases_by_name,
    session_counts,
)
from nightcall.store.queries_errors import ErrorFilter
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

BASE_S = 1_763_884_800  # 2025-11-23T08:00:00Z
S = 1_000_000_000
ALL = ErrorFilter(window=Window(start_ns=0, end_ns=(BASE_S + 10_000) * S))


def _event(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"{number:032x}",
        "timestamp": BASE_S + number * 60,
        "level": "error",
        "platform": "python",
        "release": "shop@2" if number >= 3 else "shop@1",
        "tags": {"service": "cart" if number % 2 else "checkout", "region": "eu"},
        "user": {"id": f"u{number % 3}"},
        "contexts": {"device": {"model": "Pixel 8"}, "os": {"name": "Android", "version": "14"},
                     "browser": {"name": "Chrome"}},
        "exception": {"values": [{"type": "KeyError", "value": f"'{number}'",
                                  "stacktrace": {"frames": [{"function": "add", "vars": {}}]}}]},
        "breadcrumbs": [{"category": "ui.click", "message": "pay"}],
        "modules": {"django": "5.0"},
        **fields,
    }  # fmt: skip


def _envelope(*items: tuple[str, dict[str, Any]]) -> bytes:
    lines = [b"{}"]
    for kind, payload in items:
        lines += [orjson.dumps({"type": kind}), orjson.dumps(payload)]
    return b"\n".join(lines) + b"\n"


def _ingest(store: Store, *items: tuple[str, dict[str, Any]]) -> None:
    decoded = decode_envelope_items(
        decode_envelope(_envelope(*items)), project_id="1", received_ns=BASE_S * S
    )
    store.insert_batches([b for request in decoded.requests for b in request.batches])


def test_occurrences_are_the_newest_and_say_when_cut(store: Store) -> None:
    """At most `max_events` rows come back, newest first, with the scope's full count."""
    _ingest(store, *(("event", _event(n)) for n in range(6)))
    found = fetch_occurrences(store, ALL, max_events=4)
    assert [int(r["EventId"], 16) for r in found.rows] == [5, 4, 3, 2]
    assert (found.total, found.truncated) == (6, True)
    row = found.rows[0]
    assert (row["ServiceName"], row["UserId"], row["Browser"], row["Tags"]["region"]) == (
        "cart", "u2", "Chrome", "eu")  # fmt: skip
    whole = fetch_occurrences(store, ErrorFilter(window=ALL.window, service="cart"), max_events=9)
    assert ([int(r["EventId"], 16) for r in whole.rows], whole.truncated) == ([5, 3, 1], False)


def test_event_parts_are_only_what_grouping_reads(store: Store) -> None:
    """The engine extracts the exception, fingerprint and breadcrumbs, not the SDK's extras."""
    _ingest(store, ("event", _event(1, fingerprint=["{{ default }}", "x"])), ("event", _event(2)))
    parts = fetch_event_parts(store, ALL, since_ns=(BASE_S + 60) * S, until_ns=(BASE_S + 60) * S)
    assert list(parts) == [f"{1:032x}"]
    got = {key: orjson.loads(raw) if raw else None for key, raw in parts[f"{1:032x}"].items()}
    assert got["fingerprint"] == ["{{ default }}", "x"]
    assert got["exception"]["values"][0]["type"] == "KeyError"
    assert got["breadcrumbs"] == {"values": [{"category": "ui.click", "message": "pay"}]}
    assert got["threads"] is None
    assert "modules" not in got


def test_prior_occurrences_keep_the_newest_per_kind(store: Store) -> None:
    """Before the window, each (service, type) keeps its newest events; the cut is reported."""
    _ingest(store, *(("event", _event(n)) for n in range(6)),
            ("event", _event(9, exception={"values": [{"type": "OSError"}]})))  # fmt: skip
    kinds = [("cart", "KeyError"), ("checkout", "KeyError")]
    rows, cut = fetch_prior_occurrences(store, ALL, kinds, per_kind=2)
    assert sorted(int(r["EventId"], 16) for r in rows) == [2, 3, 4, 5]
    assert cut
    rows, cut = fetch_prior_occurrences(store, ALL, [("cart", "OSError")], per_kind=2)
    assert ([int(r["EventId"], 16) for r in rows], cut) == ([9], False)
    assert fetch_prior_occurrences(store, ALL, [], per_kind=2) == ([], False)


def test_releases_population_and_sessions(store: Store) -> None:
    """First time per release, distinct users and devices, and session sums per release."""
    session = {
        "sid": "s1",
        "init": True,
        "status": "crashed",
        "started": BASE_S + 30,
        "timestamp": BASE_S + 40,
        "attrs": {"release": "shop@2", "environment": "prod"},
    }
    _ingest(store, *(("event", _event(n)) for n in range(6)), ("session", session),
            ("session", {**session, "sid": "s2", "status": "exited"}))  # fmt: skip
    assert release_first_seen(store, ["cart"]) == {
        ("cart", "shop@1"): (BASE_S + 60) * S,
        ("cart", "shop@2"): (BASE_S + 180) * S,
    }
    assert release_first_seen(store, []) == {}
    assert set(releases_by_name(store, ["shop@1"])) == {("cart", "shop@1"), ("checkout", "shop@1")}
    assert population(store, ALL) == (3, 1)
    window = ErrorFilter(window=Window(start_ns=BASE_S * S, end_ns=(BASE_S + 60) * S))
    assert session_counts(store, window) == {"shop@2": {"started": 2, "crashed": 1, "exited": 1}}
    assert session_counts(store, window, releases=["shop@1"]) == {}
    assert session_counts(store, window, releases=[]) == {}
