"""The critical path of a trace and each span's self-time, correct for concurrent children.

The critical path is the chain of work the trace's end waited on. It is found by walking back
from the end of a span: the child that finishes last before the current point is on the path;
the walk descends into it and then continues from that child's start, so children that overlap
the one taken are skipped, not summed. Time on the path not covered by a child is the span's
own. A child that overruns its parent (clock skew between hosts, an async child) is clamped to
the parent's interval; one entirely outside it adds nothing.

Self-time is a span's duration minus the union of its (clamped) children's intervals: two
children running side by side for 10 ms take 10 ms off their parent, not 20.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nightcall.analysis.traces.spans import SpanTree, TraceSpan


@dataclass(frozen=True, slots=True, kw_only=True)
class PathSegment:
    """A stretch of the critical path during which `span_id` itself was the work waited on."""

    span_id: str
    service: str
    name: str
    start_ns: int
    end_ns: int

    @property
    def duration_ns(self) -> int:
        return self.end_ns - self.start_ns


def _clamped(child: TraceSpan, start_ns: int, end_ns: int) -> tuple[int, int] | None:
    """`child`'s interval cut to [start_ns, end_ns], or None when nothing of it is left."""
    lo, hi = max(child.start_ns, start_ns), min(child.end_ns, end_ns)
    return (lo, hi) if hi > lo else None


def critical_path(tree: SpanTree, root: TraceSpan) -> list[PathSegment]:
    """The critical path under `root`, as segments in time order."""
    segments: list[PathSegment] = []
    _walk(tree, root, root.start_ns, root.end_ns, segments)
    segments.reverse()
    return [s for s in segments if s.end_ns > s.start_ns]


def _walk(
    tree: SpanTree, span: TraceSpan, start_ns: int, end_ns: int, out: list[PathSegment]
) -> None:
    """Append `span`'s path segments, latest first (iterative, so deep traces cannot overflow)."""
    # Each frame: a span, the interval it is clamped to, and the point the walk has reached.
    stack: list[tuple[TraceSpan, int, int, int]] = [(span, start_ns, end_ns, end_ns)]
    while stack:
        current, lo, hi, point = stack.pop()
        children = []
        for child in tree.children.get(current.span_id, ()):
            interval = _clamped(child, lo, hi)
            if interval is not None:
                children.append((interval, child))
        # The child finishing last at or before `point`; ties go to the one that started later.
        candidates = [(iv, c) for iv, c in children if iv[1] <= point]
        if not candidates:
            out.append(_segment(current, lo, point))
            continue
        (child_lo, child_hi), child = max(
            candidates, key=lambda item: (item[0][1], item[0][0], item[1].span_id)
        )
        out.append(_segment(current, child_hi, point))
        # Resume the parent from the child's start once the child's subtree is done.
        stack.append((current, lo, hi, child_lo))
        stack.append((child, child_lo, child_hi, child_hi))


def _segment(span: TraceSpan, start_ns: int, end_ns: int) -> PathSegment:
    return PathSegment(
        span_id=span.span_id,
        service=span.service,
        name=span.name,
        start_ns=start_ns,
        end_ns=end_ns,
    )


def union_ns(intervals: Sequence[tuple[int, int]]) -> int:
    """The length of the union of half-open intervals."""
    total = 0
    reach: int | None = None
    for lo, hi in sorted(intervals):
        if reach is None or lo >= reach:
            total += hi - lo
            reach = hi
        elif hi > reach:
            total += hi - reach
            reach = hi
    return total


def self_times(tree: SpanTree) -> dict[str, int]:
    """Each span's self-time in ns: its duration minus the union of its children's intervals."""
    result = {}
    for span in tree.spans.values():
        covered = [
            interval
            for child in tree.children.get(span.span_id, ())
            if (interval := _clamped(child, span.start_ns, span.end_ns)) is not None
        ]
        result[span.span_id] = span.duration_ns - union_ns(covered)
    return result
