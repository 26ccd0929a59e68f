"""Critical path, self-time, bottlenecks and errors on exactly-known span trees."""

from __future__ import annotations

import pytest

from nightcall.analysis.traces import (
    BottleneckRule,
    TraceAnalysis,
    analyze_trace,
    span_from_row,
)
from nightcall.analysis.traces.trace_analysis import SEEDS_BOTTLENECK_RULE
from tests.analysis.traces.spans import MS, span


def path_of(analysis: TraceAnalysis) -> list[tuple[str, int, int]]:
    """The critical path as (span id, start ms, end ms) triples."""
    return [(s.span_id, s.start_ns // MS, s.end_ns // MS) for s in analysis.critical_path]


def self_ms(analysis: TraceAnalysis) -> dict[str, int]:
    """Each span's self-time in ms."""
    return {t.span_id: t.self_ns // MS for t in analysis.spans}


def test_sequential_children_alternate_with_the_parent_on_the_path() -> None:
    """Two children one after the other are both on the path, with the parent's gaps between."""
    analysis = analyze_trace(
        [span("a", None, 0, 100), span("b", "a", 10, 40), span("c", "a", 50, 90)]
    )
    assert path_of(analysis) == [("a", 0, 10), ("b", 10, 40), ("a", 40, 50), ("c", 50, 90),
                                 ("a", 90, 100)]  # fmt: skip
    assert self_ms(analysis) == {"a": 30, "b": 30, "c": 40}
    assert sum(s.duration_ns for s in analysis.critical_path) == analysis.duration_ns


def test_concurrent_siblings_follow_the_last_finishing_child() -> None:
    """With overlapping siblings the path takes the one that finished last, not the longest.

    A naive pick of the longest child (as Jaeger's browser-side critical path does for
    overlapping siblings) would follow `b` (80 ms) and count 0-85 as waiting on it; but the
    parent ended waiting on `c`, and `b` finished before `c` did.
    """
    spans = [span("a", None, 0, 100), span("b", "a", 5, 85), span("c", "a", 30, 90)]
    analysis = analyze_trace(spans)
    longest_child = max(spans[1:], key=lambda s: s.duration_ns)
    assert longest_child.span_id == "b"
    assert path_of(analysis) == [("a", 0, 30), ("c", 30, 90), ("a", 90, 100)]
    assert self_ms(analysis) == {"a": 15, "b": 80, "c": 60}
    critical = {t.span_id: t.critical_ns // MS for t in analysis.spans}
    assert critical == {"a": 40, "b": 0, "c": 60}


def test_overlapping_children_are_not_summed_in_self_time() -> None:
    """Self-time subtracts the union of the children's intervals: 10-70 and 80-90 leave 30."""
    analysis = analyze_trace([span("a", None, 0, 100), span("b", "a", 10, 50),
                              span("c", "a", 30, 70), span("d", "a", 80, 90)])  # fmt: skip
    assert self_ms(analysis)["a"] == 30
    assert path_of(analysis) == [("a", 0, 30), ("c", 30, 70), ("a", 70, 80), ("d", 80, 90),
                                 ("a", 90, 100)]  # fmt: skip


def test_a_child_overrunning_its_parent_is_clamped() -> None:
    """A child ending after its parent counts only up to the parent's end, on the path and off."""
    analysis = analyze_trace([span("a", None, 0, 100), span("b", "a", 50, 130)])
    assert path_of(analysis) == [("a", 0, 50), ("b", 50, 100)]
    assert self_ms(analysis) == {"a": 50, "b": 80}
    assert {t.span_id: t.critical_ns // MS for t in analysis.spans} == {"a": 50, "b": 50}


def test_a_child_outside_its_parent_from_clock_skew_adds_nothing() -> None:
    """A child entirely after its parent's end (a skewed clock) is neither on the path nor
    subtracted from the parent's self-time."""
    analysis = analyze_trace([span("a", None, 0, 100), span("b", "a", 120, 150)])
    assert path_of(analysis) == [("a", 0, 100)]
    assert self_ms(analysis) == {"a": 100, "b": 30}


def test_orphans_join_the_path_under_a_virtual_root() -> None:
    """A span whose parent is missing is reported as an orphan and still joins the path."""
    analysis = analyze_trace([span("a", None, 0, 50), span("b", "a", 10, 40),
                              span("x", "lost", 60, 100)])  # fmt: skip
    assert analysis.orphan_span_ids == ("x",)
    assert path_of(analysis) == [("a", 0, 10), ("b", 10, 40), ("a", 40, 50), ("x", 60, 100)]
    assert analysis.duration_ns == 100 * MS
    assert {t.span_id: t.depth for t in analysis.spans} == {"a": 0, "b": 1, "x": 0}


def test_a_parent_cycle_does_not_hang_the_analysis() -> None:
    """Spans naming each other as parents are cut into a tree instead of looping forever."""
    analysis = analyze_trace([span("a", "b", 0, 100), span("b", "a", 10, 60)])
    assert path_of(analysis) == [("a", 0, 10), ("b", 10, 60), ("a", 60, 100)]


def test_bottlenecks_rank_critical_path_spans_by_self_time() -> None:
    """Bottlenecks are on the critical path, largest self-time first; off-path spans are not."""
    analysis = analyze_trace([span("a", None, 0, 100), span("b", "a", 5, 85),
                              span("c", "a", 30, 90)])  # fmt: skip
    assert [(b.span_id, b.self_ns // MS, b.share) for b in analysis.bottlenecks] == [
        ("c", 60, 0.6),
        ("a", 15, 0.4),
    ]


def test_the_seeds_rule_keeps_spans_over_one_second_slowest_first() -> None:
    """The seeds' rule keeps critical-path spans longer than 1 s, slowest first."""
    spans = [span("a", None, 0, 3000), span("b", "a", 0, 1000), span("c", "a", 1000, 2500),
             span("d", "a", 2500, 2900)]  # fmt: skip
    assert [b.span_id for b in analyze_trace(spans, rule=SEEDS_BOTTLENECK_RULE).bottlenecks] == [
        "a",
        "c",
    ]
    limited = analyze_trace(spans, rule=BottleneckRule(limit=1))
    assert [b.span_id for b in limited.bottlenecks] == ["c"]


def test_errors_carry_their_message_and_the_deepest_is_the_origin() -> None:
    """Each error span keeps its status message; the deepest error span is the origin."""
    analysis = analyze_trace([
        span("a", None, 0, 100, error="upstream failed"),
        span("b", "a", 10, 90, service="api", error="500"),
        span("c", "b", 20, 80, service="db", error="deadlock detected"),
        span("d", "a", 90, 95),
    ])  # fmt: skip
    assert [(e.span_id, e.message, e.depth, e.is_origin) for e in analysis.errors] == [
        ("a", "upstream failed", 0, False),
        ("b", "500", 1, False),
        ("c", "deadlock detected", 2, True),
    ]
    assert analysis.error_origin is not None
    assert (analysis.error_origin.service, analysis.error_origin.message) == (
        "db",
        "deadlock detected",
    )


def test_an_empty_trace_is_refused() -> None:
    """Analysing no spans raises a ValueError that says why."""
    with pytest.raises(ValueError, match="at least one span"):
        analyze_trace([])


def test_span_from_row_reads_the_store_span_dict() -> None:
    """A span dict as `get_trace` answers it becomes a `TraceSpan` with the same values."""
    row = {"span_id": "b1", "parent_span_id": None, "service": "api", "name": "GET /",
           "kind": "Server", "start_unix_nano": 5, "end_unix_nano": 9, "duration_ns": 4,
           "status_code": "Error", "status_message": "boom", "attributes": {"k": "v"}}  # fmt: skip
    converted = span_from_row(row)
    assert (converted.span_id, converted.parent_span_id, converted.duration_ns) == ("b1", None, 4)
    assert (converted.is_error, converted.status_message, converted.attributes) == (
        True,
        "boom",
        {"k": "v"},
    )


def test_a_very_deep_trace_is_walked_without_recursion() -> None:
    """A chain of 5,000 nested spans is analysed: the path descends to the innermost span."""
    depth = 5_000
    spans = [span(f"s{i}", f"s{i - 1}" if i else None, i, 2 * depth - i) for i in range(depth)]
    analysis = analyze_trace(spans)
    assert len(analysis.critical_path) == 2 * depth - 1
    assert max(t.depth for t in analysis.spans) == depth - 1
