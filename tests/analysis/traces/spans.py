"""A compact way to write exactly-known span trees for the trace analysis tests, in ms."""

from __future__ import annotations

from collections.abc import Mapping

from nightcall.analysis.traces import TraceSpan

MS = 1_000_000


def span(
    span_id: str,
    parent: str | None,
    start_ms: int,
    end_ms: int,
    *,
    service: str = "svc",
    name: str | None = None,
    error: str | None = None,
    attributes: Mapping[str, str] | None = None,
) -> TraceSpan:
    """A span from `start_ms` to `end_ms`, named after its id unless `name` is given."""
    return TraceSpan(
        span_id=span_id,
        parent_span_id=parent,
        service=service,
        name=name or span_id,
        start_ns=start_ms * MS,
        end_ns=end_ms * MS,
        status_code="Error" if error is not None else "Unset",
        status_message=error or "",
        attributes=dict(attributes or {}),
    )
