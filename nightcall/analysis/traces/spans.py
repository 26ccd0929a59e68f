"""The span record trace analysis works on, and the tree it hangs spans in.

A `TraceSpan` holds only what the analyses read; `span_from_row` makes one from a span dict as
the store's trace queries answer it. `SpanTree` links spans to their parents, tolerating what
real traces contain: parents that were never received (orphans), duplicate ids, and cycles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceSpan:
    """One span: its place in the tree, where it ran, when, and how it ended."""

    span_id: str
    parent_span_id: str | None
    service: str
    name: str
    kind: str = "Internal"
    start_ns: int
    end_ns: int
    status_code: str = "Unset"
    status_message: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)

    @property
    def duration_ns(self) -> int:
        return max(0, self.end_ns - self.start_ns)

    @property
    def is_error(self) -> bool:
        return self.status_code == "Error"


def span_from_row(row: Mapping[str, Any]) -> TraceSpan:
    """A `TraceSpan` from a span dict of `get_trace` (or a row with the same keys)."""
    start_ns = int(row["start_unix_nano"])
    end_ns = row.get("end_unix_nano")
    return TraceSpan(
        span_id=str(row["span_id"]),
        parent_span_id=row.get("parent_span_id") or None,
        service=str(row["service"]),
        name=str(row["name"]),
        kind=str(row.get("kind") or "Internal"),
        start_ns=start_ns,
        end_ns=int(end_ns) if end_ns is not None else start_ns + int(row["duration_ns"]),
        status_code=str(row.get("status_code") or "Unset"),
        status_message=str(row.get("status_message") or ""),
        attributes=dict(row.get("attributes") or {}),
    )


@dataclass(frozen=True, slots=True)
class SpanTree:
    """Spans by id with their children, in start order; roots are spans without a known parent.

    `orphans` are the roots that name a parent the trace does not hold (a lost span, or one
    still in flight). A span whose parent chain loops back to itself is treated as a root, so
    every walk over the tree ends.
    """

    spans: Mapping[str, TraceSpan]
    children: Mapping[str, Sequence[TraceSpan]]
    roots: Sequence[TraceSpan]
    orphans: Sequence[TraceSpan]
    depth: Mapping[str, int]


def build_tree(spans: Iterable[TraceSpan]) -> SpanTree:
    """Link `spans` into a tree; the first span wins when two share an id."""
    by_id: dict[str, TraceSpan] = {}
    for span in sorted(spans, key=lambda s: (s.start_ns, s.span_id)):
        by_id.setdefault(span.span_id, span)
    looped = _spans_in_cycles(by_id)
    children: dict[str, list[TraceSpan]] = {}
    roots: list[TraceSpan] = []
    orphans: list[TraceSpan] = []
    for span in by_id.values():
        parent = span.parent_span_id
        if parent is None or parent == span.span_id or span.span_id in looped:
            roots.append(span)
        elif parent not in by_id:
            roots.append(span)
            orphans.append(span)
        else:
            children.setdefault(parent, []).append(span)
    depth: dict[str, int] = {}
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        span, level = stack.pop()
        depth[span.span_id] = level
        stack.extend((child, level + 1) for child in reversed(children.get(span.span_id, [])))
    return SpanTree(spans=by_id, children=children, roots=roots, orphans=orphans, depth=depth)


def _spans_in_cycles(by_id: Mapping[str, TraceSpan]) -> set[str]:
    """Ids of spans whose parent chain never reaches a root: one per cycle is enough to cut it."""
    settled: set[str] = set()
    cut: set[str] = set()
    for start in by_id:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = start
        while current is not None and current in by_id and current not in settled:
            if current in on_path:
                cut.add(current)
                break
            path.append(current)
            on_path.add(current)
            current = by_id[current].parent_span_id
        settled.update(path)
    return cut
