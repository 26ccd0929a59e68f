"""Counts for dimension attribution, made by the engine from inserted events and spans."""

from __future__ import annotations

from typing import Any

import pytest

from nightcall.ingest.sentry import encode_error_rows, event_row
from nightcall.store.queries_dimensions import DimensionCounts, error_counts, span_counts
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store
from tests.store.telemetry import (
    CLIENT,
    MS_NS,
    SECOND_NS,
    make_span,
    span_id,
    trace_batches,
    trace_id,
)

T0_S = 1_767_225_600  # 2026-01-01T00:00:00Z
BASELINE = Window(start_ns=T0_S * SECOND_NS, end_ns=(T0_S + 600) * SECOND_NS)
WINDOW = Window(start_ns=(T0_S + 600) * SECOND_NS, end_ns=(T0_S + 1200) * SECOND_NS)


def _crash(number: int, *, second: int, device: str, os_version: str) -> dict[str, Any]:
    return {
        "event_id": f"{number:032x}",
        "timestamp": T0_S + second,
        "level": "fatal",
        "platform": "cocoa",
        "release": "app@2.0",
        "environment": "production",
        "tags": {"service": "ios", "screen": "cart", "device.model": device},
        "contexts": {
            "device": {"model": device},
            "os": {"name": "iOS", "version": os_version},
            "app": {"app_version": "2.0"},
        },
        "exception": {"values": [{"type": "SIGSEGV", "value": f"crash {number}"}]},
    }


@pytest.fixture
def crashes(store: Store) -> Store:
    """Baseline: two crashes on each of A and B. Window: five on A (17.4), one on B."""
    plan = [(100, "A", "17.4"), (200, "A", "17.4"), (300, "B", "17.4"), (400, "B", "16.0")]
    plan += [(700 + 10 * n, "A", "17.4") for n in range(5)] + [(800, "B", "16.0")]
    rows = [
        event_row(_crash(n, second=s, device=d, os_version=o), project_id="1", received_ns=0)
        for n, (s, d, o) in enumerate(plan)
    ]
    batch = encode_error_rows(rows)
    assert batch is not None
    store.insert_batches([batch])
    return store


def _by(counts: DimensionCounts, *names: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """Failed and total summed per value of the named dimensions."""
    index = [counts.dimensions.index(n) for n in names]
    summed: dict[tuple[str, ...], tuple[int, int]] = {}
    for values, failed, total in counts.rows:
        key = tuple(values[i] for i in index)
        before = summed.get(key, (0, 0))
        summed[key] = (before[0] + failed, before[1] + total)
    return summed


def test_error_counts_compare_the_window_with_its_baseline(crashes: Store) -> None:
    """Per device and OS: the window's events are failed, the window's and baseline's total."""
    counts = error_counts(crashes, WINDOW, baseline=BASELINE, service="ios")
    assert counts.dimensions[:7] == (
        "device.model", "os.name", "os.version", "app.version", "release", "environment",
        "platform",
    )  # fmt: skip
    assert "screen" in counts.dimensions  # a tag; `service` and `device.model` tags repeat columns
    assert counts.comparison == "baseline"
    assert _by(counts, "device.model", "os.version") == {
        ("A", "17.4"): (5, 7),
        ("B", "17.4"): (0, 1),
        ("B", "16.0"): (1, 2),
    }
    assert "GROUP BY dims" in counts.query


def test_error_counts_of_one_group_count_only_its_events_as_failed(crashes: Store) -> None:
    """Given a group's events, those are failed, among all events of both windows."""
    group = [f"{n:032x}" for n in (4, 5, 6)]
    counts = error_counts(crashes, WINDOW, baseline=BASELINE, service="ios", group_event_ids=group)
    assert counts.comparison == "rate"
    assert _by(counts, "device.model") == {("A",): (3, 7), ("B",): (0, 3)}


def test_error_counts_of_an_empty_store_are_empty(store: Store) -> None:
    """No events, no rows, and no error."""
    counts = error_counts(store, WINDOW, baseline=BASELINE)
    assert counts.rows == ()
    assert counts.dimensions[0] == "service.name"


@pytest.fixture
def checkout_spans(store: Store) -> Store:
    """A checkout service: 40 requests per version; v2 fails POST /pay half the time.

    Every server span has a route, a user id and a status code; every request makes one
    database client span of 5 ms, except that v2's GET /cart ones take 50 ms.
    """
    for version, base in (("1.0", 0), ("2.0", 100)):
        spans = []
        for n in range(40):
            number = base + n
            route = "/pay" if n % 2 else "/cart"
            method = "POST" if n % 2 else "GET"
            failed = version == "2.0" and route == "/pay" and n % 4 == 1
            start = WINDOW.start_ns + number * SECOND_NS
            attributes = {"http.route": route, "http.request.method": method,
                          "user.id": f"u{number}", "http.response.status_code": "500"
                          if failed else "200"}  # fmt: skip
            spans.append(make_span(trace=trace_id(number), span=span_id(2 * number),
                                   name=f"{method} {route}", start_ns=start,
                                   duration_ns=20 * MS_NS, error=failed,
                                   attributes=attributes))  # fmt: skip
            slow = version == "2.0" and route == "/cart"
            spans.append(make_span(trace=trace_id(number), span=span_id(2 * number + 1),
                                   parent=span_id(2 * number), name="SELECT", kind=CLIENT,
                                   start_ns=start, duration_ns=(50 if slow else 5) * MS_NS,
                                   attributes={"db.system": "postgresql"}))  # fmt: skip
        store.insert_batches(
            list(trace_batches({"checkout": spans}, resource={"service.version": version}))
        )
    return store


def test_span_counts_choose_attributes_and_count_failed_spans(checkout_spans: Store) -> None:
    """Routes and versions become dimensions, ids and outcomes do not; failures are counted."""
    counts = span_counts(checkout_spans, WINDOW, service="checkout", population="failed_spans")
    assert counts.dimensions[:2] == ("service.version", "http.route")
    assert counts.dimensions[-2:] == ("span.name", "span.kind")
    assert "user.id" not in counts.dimensions
    assert "http.response.status_code" not in counts.dimensions
    assert _by(counts, "service.version", "http.route") == {
        ("1.0", "/cart"): (0, 20),
        ("1.0", "/pay"): (0, 20),
        ("2.0", "/cart"): (0, 20),
        ("2.0", "/pay"): (10, 20),
        ("1.0", "(none)"): (0, 40),
        ("2.0", "(none)"): (0, 40),
    }


def test_slow_spans_are_slow_for_their_own_operation(checkout_spans: Store) -> None:
    """Against each operation's own 75th percentile, only v2's long queries are slow."""
    counts = span_counts(checkout_spans, WINDOW, service="checkout", population="slow_spans",
                         slow_quantile=0.75)  # fmt: skip
    slow = {k: v for k, v in _by(counts, "span.name", "service.version").items() if v[0]}
    assert slow == {("SELECT", "2.0"): (20, 40)}


def test_a_fixed_slow_threshold_applies_to_every_span(checkout_spans: Store) -> None:
    """With a threshold of 10 ms, every server span (20 ms) and v2's slow queries are slow."""
    counts = span_counts(checkout_spans, WINDOW, service="checkout", population="slow_spans",
                         slow_threshold_ns=10 * MS_NS)  # fmt: skip
    assert _by(counts, "span.kind") == {("Server",): (80, 80), ("Client",): (20, 80)}


def test_the_counts_attribute_the_failures_to_the_new_version_on_its_route(
    checkout_spans: Store,
) -> None:
    """End to end: the engine's counts name v2 on /pay as where the spans fail."""
    from nightcall.analysis.dimensions import attribute_failures, count_table_from_counts

    counts = span_counts(checkout_spans, WINDOW, service="checkout", population="failed_spans")
    (found,) = attribute_failures(count_table_from_counts(counts))
    assert found.combination == (("http.route", "/pay"), ("service.version", "2.0"))
    assert found.summary.startswith("100% of error spans are on http.route=/pay with")
