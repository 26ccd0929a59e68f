"""The read queries (RED, traces, logs, metrics) over a known data set, with exact answers.

The data set is loaded once per module into one store; every test here only reads it.
`test_clickhouse_server.py` runs these same tests against a ClickHouse server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nightcall.config import load_settings
from nightcall.errors import BadRequest, NotFound
from nightcall.store.queries_logs import search_logs
from nightcall.store.queries_metrics import list_metrics, metric_series
from nightcall.store.queries_traces import (
    TraceFilter,
    Window,
    get_trace,
    search_traces,
    service_red,
)
from nightcall.store.series_math import histogram_quantile
from nightcall.store.store import Store, open_store
from tests.conftest import TEST_OVERRIDES
from tests.store.dataset import (
    BACKFILL_NS,
    BACKFILL_TRACE,
    BATCH_START_NS,
    BATCH_TRACES,
    BOUNDS,
    CHECKOUT_TRACES,
    HISTOGRAM_FIRST,
    HISTOGRAM_FIRST_SUM,
    HISTOGRAM_SECOND,
    IDENTICAL_LINES,
    LOG_TIE_NS,
    LOGS_IN_WINDOW,
    T0,
    WINDOW_S,
    client_span_id,
    load_dataset,
    payment_span_id,
    root_span_id,
)
from tests.store.telemetry import MS_NS, SECOND_NS, trace_id

WINDOW = Window(start_ns=T0, end_ns=T0 + WINDOW_S * SECOND_NS)
METRIC_WINDOW = Window(start_ns=T0, end_ns=T0 + 60 * SECOND_NS)
BACKFILL_WINDOW = Window(start_ns=BACKFILL_NS - 3600 * SECOND_NS, end_ns=BACKFILL_NS + SECOND_NS)
GOLD = (("customer.tier", "gold"),)
QUANTILE_TOLERANCE_MS = 1.0  # ClickHouse's quantile() interpolates; quantileExact would not


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The embedded store holding the data set, shared by this module's read-only tests."""
    settings, _ = load_settings(
        environ={},
        overrides={"data_dir": tmp_path_factory.mktemp("queries"), **TEST_OVERRIDES},
    )
    store = open_store(settings)
    try:
        load_dataset(store)
        yield store
    finally:
        store.close()


def all_trace_pages(store: Store, query: TraceFilter, limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a trace search, following `next` until it is None."""
    pages = []
    cursor = None
    while True:
        page, cursor = search_traces(store, query, limit=limit, cursor=cursor)
        pages.append(page)
        if cursor is None:
            return pages
        assert len(pages) < 1000, "paging does not end"


def found_traces(store: Store, **filters: Any) -> set[str]:
    """The trace ids one unpaged search over the main window finds."""
    traces, cursor = search_traces(store, TraceFilter(window=WINDOW, **filters), limit=10_000)
    assert cursor is None
    return {t["trace_id"] for t in traces}


def ids(numbers: Any) -> set[str]:
    """Hex trace ids of trace numbers."""
    return {trace_id(n).hex() for n in numbers}


def series_values(result: dict[str, Any]) -> dict[tuple[str, ...], list[tuple[int, Any]]]:
    """A metric series result as {labels: [(seconds after T0, value), ...]}."""
    return {
        tuple(s["labels"]): [
            ((p["time_unix_nano"] - T0) // SECOND_NS, p["value"]) for p in s["points"]
        ]
        for s in result["series"]
    }


# --- RED -------------------------------------------------------------------------------------


def test_service_red_counts_requests_and_errors_of_entry_spans(loaded_store: Store) -> None:
    """Requests and errors count entry spans only; error_spans counts every failed span."""
    red = {row["service"]: row for row in service_red(loaded_store, WINDOW)}
    assert sorted(red) == ["batch", "checkout", "payments"]
    checkout = red["checkout"]
    assert checkout["spans"] == 200
    assert checkout["requests"] == 100
    assert checkout["errors"] == 10
    assert checkout["error_rate"] == 0.1
    assert checkout["error_spans"] == 13
    assert checkout["request_rate_per_s"] == 100 / WINDOW_S
    assert red["payments"]["requests"] == 20
    assert red["payments"]["errors"] == 0
    assert red["payments"]["error_rate"] == 0.0
    assert red["batch"]["requests"] == 10


def test_service_red_duration_percentiles(loaded_store: Store) -> None:
    """p50/p95/p99 are in milliseconds and match the known durations within quantile tolerance."""
    red = {row["service"]: row for row in service_red(loaded_store, WINDOW)}
    checkout = red["checkout"]  # roots of 1, 2, ..., 100 ms
    assert checkout["p50_ms"] == pytest.approx(50.5, abs=QUANTILE_TOLERANCE_MS)
    assert checkout["p95_ms"] == pytest.approx(95.05, abs=QUANTILE_TOLERANCE_MS)
    assert checkout["p99_ms"] == pytest.approx(99.01, abs=QUANTILE_TOLERANCE_MS)
    assert (red["payments"]["p50_ms"], red["payments"]["p99_ms"]) == (5.0, 5.0)
    assert (red["batch"]["p50_ms"], red["batch"]["p95_ms"]) == (2.0, 2.0)


def test_service_red_of_an_empty_window_is_empty(loaded_store: Store) -> None:
    """A window with no spans gives no services."""
    empty = Window(start_ns=T0 - 10 * SECOND_NS, end_ns=T0)
    assert service_red(loaded_store, empty) == []


# --- traces ----------------------------------------------------------------------------------


def test_search_traces_finds_every_trace_in_the_window(loaded_store: Store) -> None:
    """Without filters, every trace that starts in the window is found, and no other."""
    assert found_traces(loaded_store) == ids(CHECKOUT_TRACES) | ids(BATCH_TRACES)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"service": "payments"}, range(1, 21)),
        ({"operation": "POST /charge"}, range(1, 21)),
        ({"min_duration_ns": 90 * MS_NS}, range(90, 101)),
        ({"errors_only": True}, [*range(10, 101, 10), 1, 2, 3]),
        ({"attributes": GOLD}, range(4, 101, 4)),
        ({"attributes": (("deployment.environment", "staging"),)}, BATCH_TRACES),
        (
            {"service": "checkout", "errors_only": True, "attributes": GOLD},
            [20, 40, 60, 80, 100],
        ),
        ({"service": "nobody"}, []),
    ],
    ids=["service", "operation", "min-duration", "errors", "span-attr", "resource-attr",
         "combined", "no-match"],
)  # fmt: skip
def test_search_traces_filters(loaded_store: Store, filters: dict[str, Any], expected: Any) -> None:
    """Each filter finds exactly the traces with a span that matches all the conditions."""
    assert found_traces(loaded_store, **filters) == ids(expected)


def test_search_traces_summarises_each_trace(loaded_store: Store) -> None:
    """A found trace carries its root, start, duration, span and error counts and services."""
    traces, _ = search_traces(
        loaded_store, TraceFilter(window=WINDOW, min_duration_ns=50 * MS_NS), limit=100
    )
    by_id = {t["trace_id"]: t for t in traces}
    assert by_id[trace_id(50).hex()] == {
        "trace_id": trace_id(50).hex(),
        "root_service": "checkout",
        "root_operation": "GET /checkout",
        "start": "2026-01-01T00:00:50.000000000Z",
        "start_unix_nano": T0 + 50 * SECOND_NS,
        "duration_ms": 50.0,
        "span_count": 2,
        "error_count": 1,
        "services": ["checkout"],
    }


def test_search_traces_is_newest_first(loaded_store: Store) -> None:
    """Traces come newest first, ties broken by trace id, descending."""
    traces, _ = search_traces(loaded_store, TraceFilter(window=WINDOW), limit=10_000)
    keys = [(t["start_unix_nano"], t["trace_id"]) for t in traces]
    assert keys == sorted(keys, reverse=True)
    assert traces[0]["start_unix_nano"] == BATCH_START_NS


@pytest.mark.parametrize("limit", [1, 3, 7, 110])
def test_search_traces_pages_without_duplicates_or_gaps(loaded_store: Store, limit: int) -> None:
    """Following `next` visits every trace exactly once, in the unpaged order."""
    query = TraceFilter(window=WINDOW)
    everything, _ = search_traces(loaded_store, query, limit=10_000)
    pages = all_trace_pages(loaded_store, query, limit)
    assert all(len(page) == limit for page in pages[:-1])
    assert [t["trace_id"] for page in pages for t in page] == [t["trace_id"] for t in everything]
    assert len(everything) == 110


def test_search_traces_pages_through_ties_on_start_time(loaded_store: Store) -> None:
    """Traces that start at the same nanosecond are split across pages by trace id, none lost."""
    pages = all_trace_pages(loaded_store, TraceFilter(window=WINDOW, service="batch"), limit=3)
    assert [len(page) for page in pages] == [3, 3, 3, 1]
    visited = [t["trace_id"] for page in pages for t in page]
    assert visited == sorted(ids(BATCH_TRACES), reverse=True)


def test_get_trace_returns_every_span_with_parent_links(loaded_store: Store) -> None:
    """One trace by id: all spans in start order, each linked to its parent, with resources."""
    trace = get_trace(loaded_store, trace_id(5).hex())
    assert trace["trace_id"] == trace_id(5).hex()
    assert trace["span_count"] == 3
    assert trace["services"] == ["checkout", "payments"]
    assert trace["start_unix_nano"] == T0 + 5 * SECOND_NS
    assert trace["duration_ms"] == 5.2  # the payments span ends last, 5.2 ms after the root starts
    spans = trace["spans"]
    assert [(s["name"], s["kind"], s["service"]) for s in spans] == [
        ("GET /checkout", "Server", "checkout"),
        ("SELECT orders", "Client", "checkout"),
        ("POST /charge", "Server", "payments"),
    ]
    assert [(s["span_id"], s["parent_span_id"]) for s in spans] == [
        (root_span_id(5).hex(), None),
        (client_span_id(5).hex(), root_span_id(5).hex()),
        (payment_span_id(5).hex(), client_span_id(5).hex()),
    ]
    root = spans[0]
    assert root["attributes"] == {"http.route": "/checkout", "customer.tier": "free"}
    assert root["resource"] == {"service.name": "checkout", "deployment.environment": "prod"}
    assert root["duration_ns"] == 5 * MS_NS
    assert root["end_unix_nano"] == T0 + 5 * SECOND_NS + 5 * MS_NS
    assert root["status_code"] == "Unset"
    assert root["scope"] == {"name": "tests.store", "version": ""}
    assert (root["events"], root["links"]) == ([], [])


def test_get_trace_accepts_uppercase_ids(loaded_store: Store) -> None:
    """A trace id in upper case finds the same trace."""
    trace = get_trace(loaded_store, trace_id(10).hex().upper())
    assert trace["trace_id"] == trace_id(10).hex()
    assert [s["status_code"] for s in trace["spans"]] == ["Error", "Unset", "Unset"]


def test_get_trace_of_an_unknown_id_raises_not_found(loaded_store: Store) -> None:
    """An id that no span has raises NotFound naming the id."""
    unknown = trace_id(99_999).hex()
    with pytest.raises(NotFound) as raised:
        get_trace(loaded_store, unknown)
    assert unknown in raised.value.message
    assert raised.value.location == "trace_id"


# --- logs ------------------------------------------------------------------------------------


def logs_found(store: Store, **filters: Any) -> list[dict[str, Any]]:
    """Every log record one unpaged search over the main window finds."""
    logs, cursor = search_logs(store, WINDOW, limit=10_000, **filters)
    assert cursor is None
    return logs


def test_search_logs_returns_records_newest_first(loaded_store: Store) -> None:
    """Every record in the window comes back, newest first, as the API's flat record."""
    logs = logs_found(loaded_store)
    assert len(logs) == LOGS_IN_WINDOW
    times = [log["time_unix_nano"] for log in logs]
    assert times == sorted(times, reverse=True)
    (line,) = [log for log in logs if log["body"] == "order 4 slow"]
    assert line == {
        "time": "2026-01-01T00:00:04.000000000Z",
        "time_unix_nano": T0 + 4 * SECOND_NS,
        "service": "checkout",
        "severity": "WARN",
        "severity_number": 13,
        "body": "order 4 slow",
        "attributes": {"order.id": "4"},
        "resource": {"service.name": "checkout"},
        "trace_id": trace_id(4).hex(),
        "span_id": root_span_id(4).hex(),
        "scope": "tests.store",
        "template_id": None,
        "template": None,
    }


@pytest.mark.parametrize(
    ("severity", "expected"),
    [("error", 11), ("ERROR", 11), ("warn", 21), ("warning", 21), ("info", 39), ("trace", 39)],
)
def test_search_logs_severity_is_a_floor(loaded_store: Store, severity: str, expected: int) -> None:
    """A severity keeps records at or above it, text-only severities included."""
    logs = logs_found(loaded_store, severity=severity)
    assert len(logs) == expected
    assert "legacy text-only severity" in [log["body"] for log in logs]


def test_search_logs_text_is_a_case_insensitive_substring(loaded_store: Store) -> None:
    """`text` matches bodies containing it, whatever the case."""
    logs = logs_found(loaded_store, text="PAYMENT Failed")
    assert sorted(log["body"] for log in logs) == sorted(
        f"order {j} payment failed" for j in range(2, 31, 3)
    )


def test_search_logs_by_trace_id(loaded_store: Store) -> None:
    """`trace_id` (any case) finds the records of that trace only."""
    (line,) = logs_found(loaded_store, trace_id=trace_id(7).hex().upper())
    assert line["body"] == "order 7 slow"


def test_search_logs_by_service(loaded_store: Store) -> None:
    """`service` keeps one service's records."""
    logs = logs_found(loaded_store, service="batch")
    assert sorted(log["body"] for log in logs) == [
        *["heartbeat"] * IDENTICAL_LINES,
        *[f"tick {k}" for k in range(5)],
    ]
    assert {log["time_unix_nano"] for log in logs} == {LOG_TIE_NS}


@pytest.mark.parametrize("limit", [1, 2, 4, LOGS_IN_WINDOW])
def test_search_logs_pages_without_duplicates_or_gaps(loaded_store: Store, limit: int) -> None:
    """Following `next` visits every record once, in the unpaged order, through timestamp ties."""
    everything = logs_found(loaded_store)
    visited: list[dict[str, Any]] = []
    cursor = None
    for _ in range(1000):
        page, cursor = search_logs(loaded_store, WINDOW, limit=limit, cursor=cursor)
        visited += page
        if cursor is None:
            break
    assert [log["body"] for log in visited] == [log["body"] for log in everything]


def test_search_logs_refuses_a_cursor_it_did_not_give_out(loaded_store: Store) -> None:
    """A malformed cursor raises BadRequest naming it, not an internal error."""
    with pytest.raises(BadRequest) as raised:
        search_logs(loaded_store, WINDOW, limit=5, cursor="123:abc")
    assert raised.value.location == "cursor"
    assert "'123:abc'" in raised.value.message


# --- metrics ---------------------------------------------------------------------------------


def test_list_metrics_describes_every_metric_in_the_window(loaded_store: Store) -> None:
    """Each metric name comes with its type, unit, monotonicity, attribute keys and services."""
    metrics = list_metrics(loaded_store, METRIC_WINDOW)
    summary = [
        (m["name"], m["type"], m["unit"], m["monotonic"], m["attribute_keys"], m["services"],
         m["points"])
        for m in metrics
    ]  # fmt: skip
    assert summary == [
        ("http.requests", "sum", "{requests}", True, ["route"], ["checkout"], 12),
        ("http.server.duration", "histogram", "ms", False, [], ["checkout"], 2),
        ("jobs.processed", "sum", "", True, [], ["worker"], 6),
        ("queue.depth", "gauge", "{items}", False, ["host"], ["checkout", "payments"], 18),
        ("rpc.duration", "histogram", "s", False, [], ["checkout"], 2),
    ]


def test_gauge_average_and_maximum_per_step(loaded_store: Store) -> None:
    """A gauge's avg and max are taken over every point of every series in each step."""
    avg = metric_series(
        loaded_store, "queue.depth", METRIC_WINDOW, step_s=30, agg="avg", service="checkout"
    )
    assert (avg["type"], avg["agg"], avg["step_s"]) == ("gauge", "avg", 30.0)
    assert series_values(avg) == {(): [(0, 11.0), (30, 27.5)]}
    peak = metric_series(loaded_store, "queue.depth", METRIC_WINDOW, step_s=30, agg="max")
    assert series_values(peak) == {(): [(0, 100.0), (30, 100.0)]}


def test_gauge_grouped_by_attribute_and_service(loaded_store: Store) -> None:
    """group_by splits series by a point attribute or by service."""
    by_host = metric_series(
        loaded_store, "queue.depth", METRIC_WINDOW, step_s=30, group_by=("host",),
        service="checkout",
    )  # fmt: skip
    assert series_values(by_host) == {
        ("a",): [(0, 2.0), (30, 5.0)],
        ("b",): [(0, 20.0), (30, 50.0)],
    }
    by_service = metric_series(
        loaded_store, "queue.depth", METRIC_WINDOW, step_s=60, agg="max", group_by=("service",)
    )
    assert series_values(by_service) == {("checkout",): [(0, 60.0)], ("payments",): [(0, 100.0)]}


def test_cumulative_counter_rate_counts_a_reset_as_the_new_value(loaded_store: Store) -> None:
    """A cumulative counter's rate is its increase per second; a drop is a reset, not negative."""
    result = metric_series(
        loaded_store, "http.requests", METRIC_WINDOW, step_s=10, group_by=("route",)
    )
    assert result["agg"] == "rate"
    assert series_values(result)[("/a",)] == [(10, 1.0), (20, 2.0), (30, 3.0), (40, 0.5), (50, 2.0)]


def test_cumulative_counter_rate_across_a_restart_with_a_new_start_time(
    loaded_store: Store,
) -> None:
    """A counter that restarts with a new start time continues as one series, its reset counted."""
    result = metric_series(
        loaded_store, "http.requests", METRIC_WINDOW, step_s=10, group_by=("route",)
    )
    assert series_values(result)[("/b",)] == [(10, 1.0), (20, 2.0), (30, 0.3), (40, 1.0), (50, 2.0)]


def test_delta_counter_rate_is_its_sum_per_second(loaded_store: Store) -> None:
    """A delta counter's rate is the sum of its deltas in the step, per second."""
    fine = metric_series(loaded_store, "jobs.processed", METRIC_WINDOW, step_s=10)
    assert series_values(fine) == {
        (): [(0, 0.4), (10, 0.6), (20, 0.8), (30, 1.0), (40, 1.2), (50, 1.4)]
    }
    coarse = metric_series(loaded_store, "jobs.processed", METRIC_WINDOW, step_s=30)
    assert series_values(coarse) == {(): [(0, pytest.approx(0.6)), (30, pytest.approx(1.2))]}


def test_counter_gauge_aggregations(loaded_store: Store) -> None:
    """A counter read with a gauge aggregation gives that aggregation of its raw values."""
    result = metric_series(loaded_store, "jobs.processed", METRIC_WINDOW, step_s=60, agg="max")
    assert series_values(result) == {(): [(0, 14.0)]}


@pytest.mark.parametrize("agg", ["p50", "p90", "p95", "p99"])
def test_histogram_quantiles_interpolate_inside_buckets(loaded_store: Store, agg: str) -> None:
    """Histogram pXX per step equals histogram_quantile over that step's bucket counts."""
    result = metric_series(loaded_store, "http.server.duration", METRIC_WINDOW, step_s=30, agg=agg)
    q = float(agg[1:]) / 100
    assert series_values(result) == {
        (): [
            (0, histogram_quantile(q, BOUNDS, HISTOGRAM_FIRST)),
            (30, histogram_quantile(q, BOUNDS, HISTOGRAM_SECOND)),
        ]
    }


def test_histogram_quantiles_known_values(loaded_store: Store) -> None:
    """On the known buckets, p50 is 50 and p95 is 400 in the first step, p50 is 10 in the next."""
    p50 = metric_series(loaded_store, "http.server.duration", METRIC_WINDOW, step_s=30, agg="p50")
    p95 = metric_series(loaded_store, "http.server.duration", METRIC_WINDOW, step_s=30, agg="p95")
    assert series_values(p50) == {(): [(0, 50.0), (30, 10.0)]}
    assert series_values(p95)[()][0] == (0, 400.0)


def test_histogram_average_and_rate(loaded_store: Store) -> None:
    """Histogram avg is sum over count; rate is observations per second."""
    avg = metric_series(loaded_store, "http.server.duration", METRIC_WINDOW, step_s=30, agg="avg")
    assert series_values(avg)[()][0] == (0, HISTOGRAM_FIRST_SUM / 100)
    rate = metric_series(loaded_store, "http.server.duration", METRIC_WINDOW, step_s=30, agg="rate")
    assert series_values(rate) == {(): [(0, 100 / 30), (30, 100 / 30)]}


def test_cumulative_histogram_quantile_uses_the_increase(loaded_store: Store) -> None:
    """A cumulative histogram's quantile is over the bucket increases since the previous sample."""
    result = metric_series(loaded_store, "rpc.duration", METRIC_WINDOW, step_s=10, agg="p50")
    assert series_values(result) == {(): [(10, 1.5)]}


def test_metric_series_of_an_unknown_metric_raises_not_found(loaded_store: Store) -> None:
    """A name with no points in the window raises NotFound."""
    with pytest.raises(NotFound) as raised:
        metric_series(loaded_store, "no.such.metric", METRIC_WINDOW)
    assert raised.value.location == "name"


def test_metric_series_refuses_an_aggregation_that_does_not_apply(loaded_store: Store) -> None:
    """A gauge asked for p95 raises BadRequest listing the valid aggregations."""
    with pytest.raises(BadRequest) as raised:
        metric_series(loaded_store, "queue.depth", METRIC_WINDOW, agg="p95")
    assert raised.value.location == "agg"
    assert raised.value.hint == "valid here: avg, min, max, sum, last, count"


def test_metric_series_refuses_too_many_points(loaded_store: Store) -> None:
    """A step that would give more than 11,000 points per series raises BadRequest."""
    with pytest.raises(BadRequest) as raised:
        metric_series(loaded_store, "queue.depth", METRIC_WINDOW, step_s=0.001)
    assert raised.value.location == "step"


# --- back-filled history ---------------------------------------------------------------------


def test_backfilled_history_days_in_the_past_is_queryable(loaded_store: Store) -> None:
    """Data stamped 40 days ago (retention 0) is found by every query over its window."""
    assert [r["service"] for r in service_red(loaded_store, BACKFILL_WINDOW)] == ["backfill"]
    traces, _ = search_traces(loaded_store, TraceFilter(window=BACKFILL_WINDOW), limit=10)
    assert [t["trace_id"] for t in traces] == [trace_id(BACKFILL_TRACE).hex()]
    assert get_trace(loaded_store, trace_id(BACKFILL_TRACE).hex())["span_count"] == 1
    logs, _ = search_logs(loaded_store, BACKFILL_WINDOW, limit=10)
    assert [log["body"] for log in logs] == ["backfilled line"]
    gauge = metric_series(loaded_store, "backfill.gauge", BACKFILL_WINDOW, step_s=3600, agg="last")
    assert [p["value"] for s in gauge["series"] for p in s["points"]] == [7.0]
