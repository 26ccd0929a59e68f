"""The slow-versus-baseline comparison on constructed cohorts with one known cause."""

from __future__ import annotations

import math

import pytest

from nightcall.analysis.traces import CompareOptions, TraceSpan, compare_cohorts
from nightcall.analysis.traces.compare import percentile
from tests.analysis.traces.spans import MS, span


def checkout(number: int, *, db_ms: int, region: str) -> list[TraceSpan]:
    """One checkout trace: a query of `db_ms` then a 20 ms render, in `region`."""
    end_db = 10 + db_ms
    resource = {"cloud.region": region, "request.id": f"r{number}", "user.name": f"u{number}"}
    return [
        span("root", None, 0, end_db + 40, service="shop", name="GET /checkout",
             attributes=resource),
        span("q", "root", 10, end_db, service="db", name="SELECT orders",
             attributes={"db.system": "postgresql"}),
        span("r", "root", end_db + 10, end_db + 30, service="shop", name="render"),
    ]  # fmt: skip


def test_the_operation_whose_self_time_doubled_explains_the_gap() -> None:
    """The query whose self-time doubled ranks first and accounts for the whole latency gap."""
    slow = [checkout(n, db_ms=60, region="eu-west") for n in range(2)]
    baseline = [checkout(n, db_ms=30, region="us-east") for n in range(2, 6)]
    result = compare_cohorts(slow, baseline)
    assert (result.slow_traces, result.baseline_traces) == (2, 4)
    assert (result.slow_mean_duration_ns, result.baseline_mean_duration_ns) == (110 * MS, 80 * MS)
    top = result.operations[0]
    assert (top.service, top.operation) == ("db", "SELECT orders")
    assert (top.slow_mean_self_ns, top.baseline_mean_self_ns) == (60 * MS, 30 * MS)
    assert (top.slow_p95_self_ns, top.baseline_p95_self_ns) == (60 * MS, 30 * MS)
    assert (top.delta_mean_self_ns, top.contribution) == (30 * MS, 1.0)
    assert [(o.operation, o.delta_mean_self_ns) for o in result.operations[1:]] == [
        ("GET /checkout", 0.0),
        ("render", 0.0),
    ]


def test_an_attribute_value_only_in_slow_traces_over_represents() -> None:
    """`cloud.region=eu-west`, held by every slow trace and no baseline one, is the one found."""
    slow = [checkout(n, db_ms=60, region="eu-west") for n in range(2)]
    baseline = [checkout(n, db_ms=30, region="us-east") for n in range(2, 6)]
    result = compare_cohorts(slow, baseline, options=CompareOptions(max_values_per_key=5))
    assert len(result.attributes) == 1
    found = result.attributes[0]
    assert (found.key, found.value, found.slow_traces, found.baseline_traces) == (
        "cloud.region", "eu-west", 2, 0,
    )  # fmt: skip
    assert (found.slow_share, found.baseline_share, found.lift) == (1.0, 0.0, None)
    assert found.score == pytest.approx(math.sqrt(6), rel=1e-12)


def test_lift_compares_shares_when_the_baseline_holds_the_value_too() -> None:
    """A value in 3 of 4 slow traces and 1 of 4 baseline traces has a lift of 3."""
    slow = [checkout(n, db_ms=60, region="eu-west" if n else "us-east") for n in range(4)]
    baseline = [
        checkout(n, db_ms=30, region="us-east" if n > 4 else "eu-west") for n in range(4, 8)
    ]
    (found,) = compare_cohorts(
        slow, baseline, options=CompareOptions(max_values_per_key=5)
    ).attributes
    assert (found.value, found.slow_share, found.baseline_share, found.lift) == (
        "eu-west", 0.75, 0.25, 3.0,
    )  # fmt: skip
    assert found.score == pytest.approx(0.5 / math.sqrt(0.5 * 0.5 * 0.5), rel=1e-12)


def test_identifier_and_high_cardinality_keys_are_skipped() -> None:
    """`request.id` (an identifier) and `user.name` (more values than allowed) never appear."""
    slow = [checkout(n, db_ms=60, region="eu-west") for n in range(2)]
    baseline = [checkout(n, db_ms=30, region="eu-west") for n in range(2, 6)]
    keys = {
        a.key
        for a in compare_cohorts(
            slow, baseline, options=CompareOptions(max_values_per_key=5)
        ).attributes
    }
    assert keys == set()
    kept = compare_cohorts(slow, baseline, options=CompareOptions(max_values_per_key=6))
    assert {a.key for a in kept.attributes} == {"user.name"}


def test_percentile_interpolates_between_ranks() -> None:
    """The percentile interpolates linearly between ranks, as numpy's default does."""
    assert percentile([10, 20, 30, 40], 50) == 25.0
    assert percentile([10, 20, 30, 40], 95) == pytest.approx(38.5, rel=1e-12)
    assert percentile([], 95) == 0.0
