"""Per-interval aggregation of StatsD samples into metric points."""

from __future__ import annotations

from nightcall.ingest.metric_points import Gauge, Histogram, Sum, Temporality
from nightcall.ingest.statsd import StatsdAggregator, decode_line


def _aggregate(aggregator: StatsdAggregator, *lines: str) -> list[bool]:
    return [aggregator.add(sample) for line in lines for sample in decode_line(line)]


def test_counters_sum_scaled_by_sample_rate_into_a_delta_sum() -> None:
    """Counter increments add up, each divided by its sample rate, as a monotonic delta sum."""
    aggregator = StatsdAggregator(default_service="svc", max_series=100)
    _aggregate(aggregator, "hits:1|c", "hits:2|c", "hits:1|c|@0.1")
    [point] = aggregator.flush(start_ns=10, now_ns=20)
    assert isinstance(point, Sum)
    assert point.value == 13.0
    assert (point.temporality, point.is_monotonic) == (Temporality.DELTA, True)
    assert (point.start_ns, point.time_ns) == (10, 20)


def test_gauge_deltas_apply_to_the_last_value_across_intervals() -> None:
    """+N/-N change the gauge's last value, including one set in an earlier interval."""
    aggregator = StatsdAggregator(default_service="svc", max_series=100)
    _aggregate(aggregator, "depth:10|g", "depth:+5|g")
    [first] = aggregator.flush(start_ns=0, now_ns=1)
    _aggregate(aggregator, "depth:-3|g")
    [second] = aggregator.flush(start_ns=1, now_ns=2)
    assert isinstance(first, Gauge)
    assert isinstance(second, Gauge)
    assert (first.value, second.value) == (15.0, 12.0)


def test_timers_become_histograms_with_exact_stats() -> None:
    """Timer values land in explicit buckets with exact count, sum, min and max, unit ms."""
    aggregator = StatsdAggregator(default_service="svc", max_series=100, bounds=(10.0, 100.0))
    _aggregate(aggregator, "q:5|ms", "q:10|ms", "q:50|ms", "q:500|ms")
    [point] = aggregator.flush(start_ns=0, now_ns=1)
    assert isinstance(point, Histogram)
    assert (point.count, point.total, point.min, point.max) == (4, 565.0, 5.0, 500.0)
    assert point.bucket_counts == (2, 1, 1)  # (-inf,10], (10,100], (100,+inf)
    assert point.unit == "ms"


def test_sets_count_distinct_members() -> None:
    """A set reports how many distinct members it saw in the interval, as a gauge."""
    aggregator = StatsdAggregator(default_service="svc", max_series=100)
    _aggregate(aggregator, "u:a|s", "u:b|s", "u:a|s")
    [point] = aggregator.flush(start_ns=0, now_ns=1)
    assert isinstance(point, Gauge)
    assert point.value == 2.0


def test_service_tag_names_the_resource_and_other_tags_are_attributes() -> None:
    """`service:` picks the service; the remaining tags are the point's attributes."""
    aggregator = StatsdAggregator(default_service="fallback", max_series=100)
    _aggregate(aggregator, "x:1|c|#service:checkout,region:eu", "y:1|c|#region:us")
    tagged, untagged = aggregator.flush(start_ns=0, now_ns=1)
    assert (tagged.resource.service, dict(tagged.attributes)) == ("checkout", {"region": "eu"})
    assert untagged.resource.service == "fallback"
    assert untagged.resource.attributes["service.name"] == "fallback"


def test_series_cap_refuses_new_series_but_keeps_existing_ones() -> None:
    """Past max_series, samples of new series are refused; known series still aggregate."""
    aggregator = StatsdAggregator(default_service="svc", max_series=2)
    accepted = _aggregate(aggregator, "a:1|c", "b:1|c", "c:1|c", "a:1|c", "d:1|g")
    assert accepted == [True, True, False, True, False]
    assert sorted(p.name for p in aggregator.flush(start_ns=0, now_ns=1)) == ["a", "b"]
    assert aggregator.series() == 0
