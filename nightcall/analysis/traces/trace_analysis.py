"""One trace analysed: critical path, self-times, bottleneck spans and error spans.

`analyze_trace` is pure: span records in, one frozen `TraceAnalysis` out. A trace with several
roots (orphans whose parents were lost) is analysed under a virtual root spanning all of them,
so the path still runs from the trace's first moment to its last; the virtual root's own time
(the gaps between the roots) is left out of the path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from nightcall.analysis.traces.critical_path import PathSegment, critical_path, self_times
from nightcall.analysis.traces.spans import SpanTree, TraceSpan, build_tree

_VIRTUAL_ROOT = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BottleneckRule:
    """Which critical-path spans count as bottlenecks, and in what order.

    A span qualifies when its self-time is at least `min_self_ns` and its duration is more than
    `slower_than_ns`; `order` ranks by self-time (the default) or by duration, slowest first,
    as the seeds' "> 1 s, slowest first" rule does (`SEEDS_BOTTLENECK_RULE`).
    """

    min_self_ns: int = 1
    slower_than_ns: int = 0
    order: Literal["self", "duration"] = "self"
    limit: int = 10


SEEDS_BOTTLENECK_RULE = BottleneckRule(slower_than_ns=1_000_000_000, order="duration", limit=100)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpanTiming:
    """Where one span's time went: its own work, and how much of it the trace waited on."""

    span_id: str
    parent_span_id: str | None
    service: str
    name: str
    depth: int
    start_ns: int
    duration_ns: int
    self_ns: int
    critical_ns: int  # the span's own time on the critical path

    @property
    def is_on_critical_path(self) -> bool:
        return self.critical_ns > 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Bottleneck:
    """A critical-path span worth looking at first, with its share of the trace's duration."""

    span_id: str
    service: str
    name: str
    duration_ns: int
    self_ns: int
    critical_ns: int
    share: float  # critical_ns / the trace's duration


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorSpan:
    """A span that ended in error; `is_origin` when none of its descendants did."""

    span_id: str
    service: str
    name: str
    message: str
    depth: int
    start_ns: int
    is_origin: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceAnalysis:
    """Everything `analyze_trace` found in one trace."""

    start_ns: int
    end_ns: int
    critical_path: tuple[PathSegment, ...]
    spans: tuple[SpanTiming, ...]
    bottlenecks: tuple[Bottleneck, ...]
    errors: tuple[ErrorSpan, ...]
    error_origin: ErrorSpan | None  # the deepest error span: where the failure most likely began
    orphan_span_ids: tuple[str, ...]

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


def analyze_trace(
    spans: Iterable[TraceSpan], *, rule: BottleneckRule = BottleneckRule()
) -> TraceAnalysis:
    """The critical path, self-times, bottlenecks and errors of one trace's spans.

    Raises:
        ValueError: when `spans` is empty.
    """
    tree = build_tree(spans)
    if not tree.spans:
        raise ValueError("a trace needs at least one span to analyse")
    start_ns = min(s.start_ns for s in tree.spans.values())
    end_ns = max(s.end_ns for s in tree.spans.values())
    path = tuple(s for s in _trace_path(tree, start_ns, end_ns) if s.span_id != _VIRTUAL_ROOT)
    on_path: dict[str, int] = {}
    for segment in path:
        on_path[segment.span_id] = on_path.get(segment.span_id, 0) + segment.duration_ns
    own = self_times(tree)
    timings = tuple(
        SpanTiming(
            span_id=s.span_id,
            parent_span_id=s.parent_span_id,
            service=s.service,
            name=s.name,
            depth=tree.depth[s.span_id],
            start_ns=s.start_ns,
            duration_ns=s.duration_ns,
            self_ns=own[s.span_id],
            critical_ns=on_path.get(s.span_id, 0),
        )
        for s in tree.spans.values()
    )
    errors = _error_spans(tree)
    origins = [e for e in errors if e.is_origin]
    return TraceAnalysis(
        start_ns=start_ns,
        end_ns=end_ns,
        critical_path=path,
        spans=timings,
        bottlenecks=_bottlenecks(timings, rule, max(1, end_ns - start_ns)),
        errors=errors,
        error_origin=min(origins, key=lambda e: (-e.depth, e.start_ns)) if origins else None,
        orphan_span_ids=tuple(s.span_id for s in tree.orphans),
    )


def _trace_path(tree: SpanTree, start_ns: int, end_ns: int) -> list[PathSegment]:
    if len(tree.roots) == 1:
        return critical_path(tree, tree.roots[0])
    virtual = TraceSpan(
        span_id=_VIRTUAL_ROOT,
        parent_span_id=None,
        service="",
        name="",
        start_ns=start_ns,
        end_ns=end_ns,
    )
    children = {**tree.children, _VIRTUAL_ROOT: tree.roots}
    spans = {**tree.spans, _VIRTUAL_ROOT: virtual}
    joined = SpanTree(spans, children, (virtual,), tree.orphans, tree.depth)
    return critical_path(joined, virtual)


def _bottlenecks(
    timings: tuple[SpanTiming, ...], rule: BottleneckRule, trace_ns: int
) -> tuple[Bottleneck, ...]:
    chosen = [
        t
        for t in timings
        if t.is_on_critical_path
        and t.self_ns >= rule.min_self_ns
        and t.duration_ns > rule.slower_than_ns
    ]
    if rule.order == "duration":
        chosen.sort(key=lambda t: (-t.duration_ns, -t.self_ns, t.span_id))
    else:
        chosen.sort(key=lambda t: (-t.self_ns, -t.critical_ns, t.span_id))
    return tuple(
        Bottleneck(
            span_id=t.span_id,
            service=t.service,
            name=t.name,
            duration_ns=t.duration_ns,
            self_ns=t.self_ns,
            critical_ns=t.critical_ns,
            share=t.critical_ns / trace_ns,
        )
        for t in chosen[: rule.limit]
    )


def _error_spans(tree: SpanTree) -> tuple[ErrorSpan, ...]:
    """Error spans in start order; an origin has no error span below it."""
    has_error_below: set[str] = set()
    for span in tree.spans.values():
        if not span.is_error:
            continue
        seen = {span.span_id}
        parent = span.parent_span_id
        while parent is not None and parent in tree.spans and parent not in seen:
            has_error_below.add(parent)
            seen.add(parent)
            parent = tree.spans[parent].parent_span_id
    return tuple(
        ErrorSpan(
            span_id=s.span_id,
            service=s.service,
            name=s.name,
            message=s.status_message,
            depth=tree.depth[s.span_id],
            start_ns=s.start_ns,
            is_origin=s.span_id not in has_error_below,
        )
        for s in tree.spans.values()
        if s.is_error
    )
