"""Services over time: `GET /api/v1/services/series` (RED per step) and `/api/v1/changes`.

`/services` gives one number per service for a window; charts and sparklines need the same
numbers per step, and deploy markers need the changes that happened inside the window. Both
read what the diagnosis reads (`nightcall.store.queries_signals.span_series`, the entry spans
per service and step; `queries_changes.change_events`, new versions and instances), so what a
chart shows is what the hypotheses were computed from.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from nightcall.api.params import TimeParam, request_window
from nightcall.errors import BadRequest
from nightcall.model import ChangeEvent, Series, format_time_ns
from nightcall.store.queries_changes import change_events
from nightcall.store.queries_signals import span_series, step_for
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

MAX_POINTS = 2000  # per series: a chart is a few hundred pixels wide


def _series_json(series: Series) -> dict[str, Any]:
    return {
        "service": series.key.service,
        "name": series.key.name,
        "unit": series.unit,
        # NaN (a step without requests) has no JSON form: null is a gap in the chart.
        "values": [v if math.isfinite(v) else None for v in series.values],
    }


def change_json(change: ChangeEvent) -> dict[str, Any]:
    """One deploy or restart as the API answers it."""
    return {
        "kind": change.kind.value,
        "service": change.service,
        "time": format_time_ns(change.time_ns),
        "time_unix_nano": change.time_ns,
        "detail": change.detail,
        "previous": change.previous or None,
        "current": change.current or None,
        "instance": change.instance or None,
    }


def _step_ns(window: Window, step_s: float | None) -> int:
    if step_s is None:
        return step_for(window)
    step_ns = int(step_s * 1e9)
    if (window.end_ns - window.start_ns) / step_ns > MAX_POINTS:
        raise BadRequest(
            f"step {step_s:g}s over this window gives more than {MAX_POINTS} points per series",
            location="step",
            hint="use a larger step, a shorter window, or leave step out for about 120 points",
        )
    return step_ns


def service_series_router(store: Store, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one store and one clock."""
    router = APIRouter(prefix="/api/v1", tags=["query"])

    def window(start: str | None, end: str | None) -> Window:
        return request_window(start, end, now_ns=now_ns(), default_start="-1h")

    @router.get(
        "/services/series",
        summary="Each service's request rate, error rate and p95 latency per step",
        description=(
            "`series` holds one record per service and measure: `name` is `requests` (per "
            "second), `error_rate` (a share, 0 to 1) or `latency_p95` (ms), with `values` at "
            "`start_unix_nano + i * step_s` (null where a step had no requests). Read from "
            "entry spans, as /api/v1/services and the diagnosis read them. Default step: "
            "about 120 points, at least 10 s."
        ),
    )
    def series(
        start: TimeParam = None,
        end: TimeParam = None,
        service: str | None = None,
        step: Annotated[float | None, Query(gt=0, description="Bucket width, seconds.")] = None,
    ) -> dict[str, Any]:
        span = window(start, end)
        step_ns = _step_ns(span, step)
        found = [
            s
            for s in span_series(store, span, step_ns)
            if service is None or s.key.service == service
        ]
        return {
            "series": [_series_json(s) for s in found],
            "start_unix_nano": span.start_ns,
            "end_unix_nano": span.end_ns,
            "step_s": step_ns / 1e9,
            "next": None,
        }

    @router.get(
        "/changes",
        summary="Deploys (a new service.version) and restarts inside a window, oldest first",
    )
    def changes(
        start: TimeParam = None, end: TimeParam = None, service: str | None = None
    ) -> dict[str, Any]:
        span = window(start, end)
        found = [c for c in change_events(store, span) if service is None or c.service == service]
        return {
            "changes": [change_json(c) for c in found],
            "start_unix_nano": span.start_ns,
            "end_unix_nano": span.end_ns,
            "next": None,
        }

    return router
