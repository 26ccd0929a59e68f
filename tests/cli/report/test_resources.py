"""Resource metrics are picked by OpenTelemetry naming words and summarized per label set."""

from __future__ import annotations

from nightcall.cli.report.resources import ResourceMetric, pick_resource_metrics, summarize_metric
from tests.cli.report.sample import CATALOGUE, START_NS, STEP_NS


def test_cpu_memory_and_pools_are_picked_by_their_names() -> None:
    """CPU, memory and connection metrics are kept in that order; histograms and metrics with
    none of the words are not; counters are read as rates; pools split by state and pool."""
    catalogue = [*CATALOGUE,
                 {"name": "system.cpu.time", "type": "sum", "unit": "s", "monotonic": True,
                  "attribute_keys": ["cpu", "state"], "services": ["host"]},
                 {"name": "jvm.memory.used", "type": "gauge", "unit": "By", "monotonic": False,
                  "attribute_keys": [], "services": [""]}]  # fmt: skip
    picked = pick_resource_metrics(catalogue)
    assert [(m.name, m.group, m.agg, m.unit, m.group_by) for m in picked] == [
        ("process.cpu.utilization", "cpu", "avg", "1", ("service",)),
        ("system.cpu.time", "cpu", "rate", "s/s", ("service", "state")),
        ("process.memory.usage", "memory", "avg", "By", ("service",)),
        ("db.client.connections.usage", "pool", "avg", "{connection}",
         ("service", "state", "pool.name")),
    ]  # fmt: skip


def test_summary_averages_the_steps_that_have_data() -> None:
    """Missing and out-of-window points are left out of the mean, min and max."""
    metric = ResourceMetric(name="db.client.connections.usage", group="pool", agg="avg",
                            unit="{connection}", group_by=("service", "state"))  # fmt: skip
    points = [{"time_unix_nano": START_NS + i * STEP_NS, "value": v}
              for i, v in enumerate([2.0, None, 4.0, 9.0])]  # fmt: skip
    points.append({"time_unix_nano": START_NS - STEP_NS, "value": 100.0})
    answer = {"series": [{"labels": ["payment", "used"], "points": points}]}
    (summary,) = summarize_metric(metric, answer, start_ns=START_NS, step_ns=STEP_NS, steps=3)
    assert summary.service == "payment"
    assert summary.signal == "db.client.connections.usage{state=used}"
    assert (summary.avg, summary.low, summary.high) == (3.0, 2.0, 4.0)
    assert summary.series.values == (2.0, None, 4.0)
