"""The same query tests, run against a ClickHouse server instead of the embedded engine.

Set NIGHTCALL_TEST_CLICKHOUSE_URL (e.g. clickhouse://default:@localhost:8123/nightcall_test)
to run them; the database it names is dropped and rebuilt, so it must be a test database.
The test bodies are `test_queries.py`'s own, collected here a second time: this module's
`loaded_store` fixture overrides that module's, so they read the server's copy of the data set.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from nightcall.config import load_settings
from nightcall.store.clickhouse import ClickHouseConnection, parse_clickhouse_url
from nightcall.store.connection import quote_identifier
from nightcall.store.store import Store, open_store
from tests.conftest import TEST_OVERRIDES
from tests.store.dataset import load_dataset
from tests.store.test_queries import (
    test_backfilled_history_days_in_the_past_is_queryable,
    test_cumulative_counter_rate_across_a_restart_with_a_new_start_time,
    test_cumulative_counter_rate_counts_a_reset_as_the_new_value,
    test_cumulative_histogram_quantile_uses_the_increase,
    test_delta_counter_rate_is_its_sum_per_second,
    test_gauge_average_and_maximum_per_step,
    test_gauge_grouped_by_attribute_and_service,
    test_get_trace_of_an_unknown_id_raises_not_found,
    test_get_trace_returns_every_span_with_parent_links,
    test_histogram_quantiles_interpolate_inside_buckets,
    test_list_metrics_describes_every_metric_in_the_window,
    test_search_logs_by_trace_id,
    test_search_logs_pages_without_duplicates_or_gaps,
    test_search_logs_returns_records_newest_first,
    test_search_logs_severity_is_a_floor,
    test_search_logs_text_is_a_case_insensitive_substring,
    test_search_traces_filters,
    test_search_traces_pages_through_ties_on_start_time,
    test_search_traces_pages_without_duplicates_or_gaps,
    test_search_traces_summarises_each_trace,
    test_service_red_counts_requests_and_errors_of_entry_spans,
    test_service_red_duration_percentiles,
)

URL_VARIABLE = "NIGHTCALL_TEST_CLICKHOUSE_URL"

# The core query cases, collected again in this module (pytest runs what a module holds).
__all__ = [
    "test_backfilled_history_days_in_the_past_is_queryable",
    "test_cumulative_counter_rate_across_a_restart_with_a_new_start_time",
    "test_cumulative_counter_rate_counts_a_reset_as_the_new_value",
    "test_cumulative_histogram_quantile_uses_the_increase",
    "test_delta_counter_rate_is_its_sum_per_second",
    "test_gauge_average_and_maximum_per_step",
    "test_gauge_grouped_by_attribute_and_service",
    "test_get_trace_of_an_unknown_id_raises_not_found",
    "test_get_trace_returns_every_span_with_parent_links",
    "test_histogram_quantiles_interpolate_inside_buckets",
    "test_list_metrics_describes_every_metric_in_the_window",
    "test_search_logs_by_trace_id",
    "test_search_logs_pages_without_duplicates_or_gaps",
    "test_search_logs_returns_records_newest_first",
    "test_search_logs_severity_is_a_floor",
    "test_search_logs_text_is_a_case_insensitive_substring",
    "test_search_traces_filters",
    "test_search_traces_pages_through_ties_on_start_time",
    "test_search_traces_pages_without_duplicates_or_gaps",
    "test_search_traces_summarises_each_trace",
    "test_service_red_counts_requests_and_errors_of_entry_spans",
    "test_service_red_duration_percentiles",
]


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A ClickHouse-server store holding the data set, rebuilt from an empty test database."""
    url = os.environ.get(URL_VARIABLE)
    if not url:
        pytest.skip(f"{URL_VARIABLE} is not set: no ClickHouse server to test against; see README")
    target = parse_clickhouse_url(url)
    if "test" not in target.database:
        pytest.fail(
            f"{URL_VARIABLE} names the database {target.database!r}, which these tests would "
            "drop: use a database whose name contains 'test', e.g. nightcall_test"
        )
    cleaner = ClickHouseConnection(target)
    on_cluster = f" ON CLUSTER {quote_identifier(target.cluster)}" if target.cluster else ""
    cleaner.execute(f"DROP DATABASE IF EXISTS {quote_identifier(target.database)}{on_cluster} SYNC")
    cleaner.close()
    settings, _ = load_settings(
        environ={},
        overrides={"data_dir": tmp_path_factory.mktemp("clickhouse"), **TEST_OVERRIDES,
                   "store": url},
    )  # fmt: skip
    store = open_store(settings)
    try:
        load_dataset(store)
        yield store
    finally:
        store.close()


def test_store_url_is_parsed_into_a_target() -> None:
    """A clickhouse:// URL gives host, port, credentials, database and cluster."""
    target = parse_clickhouse_url("clickhouse://reader:s%40cret@ch.internal:9000/tele?cluster=c1")
    assert (target.host, target.port, target.username, target.password) == (
        "ch.internal",
        9000,
        "reader",
        "s@cret",
    )
    assert (target.database, target.cluster, target.secure) == ("tele", "c1", False)


def test_store_url_defaults() -> None:
    """Without port, user or database, the URL means default@host:8123/nightcall; https is 8443."""
    plain = parse_clickhouse_url("clickhouse://localhost")
    assert (plain.port, plain.username, plain.password, plain.database, plain.cluster) == (
        8123,
        "default",
        "",
        "nightcall",
        "",
    )
    secure = parse_clickhouse_url("clickhouses://localhost")
    assert (secure.port, secure.secure) == (8443, True)
