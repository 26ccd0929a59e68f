"""The attribution API, GET /api/v1/attribution: which attribute values explain failures.

`population` picks what fails: `errors` (error events in the window against a baseline window
before it), `failed_spans` or `slow_spans` (one service's spans in the window). The engine
counts per combination of attribute values (`nightcall.store.queries_dimensions`);
`attribute_failures` names the combinations, each with its numbers and a summary line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from nightcall.analysis.dimensions import (
    Attribution,
    AttributionOptions,
    attribute_failures,
    count_table_from_counts,
)
from nightcall.api.params import TimeParam, request_window
from nightcall.errors import BadRequest
from nightcall.model import format_time_ns, parse_time_ns
from nightcall.store.queries_dimensions import error_counts, span_counts
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

# Without a baseline given, errors are compared with this many window lengths before it.
BASELINE_WINDOWS = 3


def _window_json(window: Window) -> dict[str, Any]:
    return {
        "start": format_time_ns(window.start_ns),
        "end": format_time_ns(window.end_ns),
        "start_unix_nano": window.start_ns,
        "end_unix_nano": window.end_ns,
    }


def _record(found: Attribution) -> dict[str, Any]:
    return {
        "combination": dict(found.combination),
        "summary": found.summary,
        "score": found.score,
        "explanatory_power": found.explanatory_power,
        "failure_share": found.failure_share,
        "population_share": found.population_share,
        "surprise": found.surprise,
        "failure_rate": found.failure_rate,
        "failure_rate_outside": found.failure_rate_outside,
        "lift": found.lift,
        "count": found.count,
        "total": found.total,
        "log_likelihood_ratio": found.log_likelihood_ratio,
    }


def _baseline(window: Window, start: str | None, end: str | None, now_ns: int) -> Window:
    if start is None and end is None:
        length = window.end_ns - window.start_ns
        return Window(start_ns=window.start_ns - BASELINE_WINDOWS * length, end_ns=window.start_ns)
    start_ns = parse_time_ns(start, now_ns=now_ns, location="baseline_start") if start else None
    end_ns = parse_time_ns(end, now_ns=now_ns, location="baseline_end") if end else None
    end_ns = window.start_ns if end_ns is None else end_ns
    if start_ns is None:
        start_ns = end_ns - BASELINE_WINDOWS * (window.end_ns - window.start_ns)
    if end_ns <= start_ns or end_ns > window.start_ns:
        raise BadRequest(
            f"the baseline [{start}, {end}) is not a window that ends by the window's start",
            location="baseline_end",
            hint="give baseline_start before baseline_end, and baseline_end no later than start",
        )
    return Window(start_ns=start_ns, end_ns=end_ns)


def dimensions_router(store: Store, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one store and one clock."""
    router = APIRouter(prefix="/api/v1", tags=["attribution"])

    @router.get(
        "/attribution",
        summary="Attribute values and combinations that explain failing events or spans",
    )
    def attribution(
        population: Annotated[
            Literal["errors", "failed_spans", "slow_spans"],
            Query(description="What fails: error events, error spans, or slow spans."),
        ] = "errors",
        service: Annotated[
            str | None, Query(description="The service (required for spans).")
        ] = None,
        start: TimeParam = None,
        end: TimeParam = None,
        baseline_start: Annotated[
            str | None, Query(description="errors: the baseline's start (default: 3 windows back).")
        ] = None,
        baseline_end: Annotated[
            str | None, Query(description="errors: the baseline's end (default: the start).")
        ] = None,
        slow_threshold_ms: Annotated[
            float | None,
            Query(
                gt=0,
                description="slow_spans: a fixed threshold (default: each operation's "
                "p95 over the window).",
            ),
        ] = None,
        max_depth: Annotated[int, Query(ge=1, le=4, description="Most dimensions combined.")] = 3,
        limit: Annotated[int, Query(ge=1, le=20, description="Most combinations.")] = 5,
    ) -> dict[str, Any]:
        now = now_ns()
        window = request_window(start, end, now_ns=now, default_start="-1h")
        baseline: Window | None = None
        if population == "errors":
            baseline = _baseline(window, baseline_start, baseline_end, now)
            counts = error_counts(store, window, baseline=baseline, service=service)
        else:
            if not service:
                raise BadRequest(
                    f"population={population} needs a service",
                    location="service",
                    hint="add service=NAME (GET /api/v1/services lists them)",
                )
            threshold_ns = None if slow_threshold_ms is None else int(slow_threshold_ms * 1e6)
            counts = span_counts(store, window, service=service, population=population,
                                 slow_threshold_ns=threshold_ns)  # fmt: skip
        options = AttributionOptions(max_depth=max_depth, max_results=limit)
        found = attribute_failures(count_table_from_counts(counts), options)
        return {
            "attributions": [_record(f) for f in found],
            "population": population,
            "service": service,
            "window": _window_json(window),
            "baseline": _window_json(baseline) if baseline else None,
            "dimensions": list(counts.dimensions),
            "rows": len(counts.rows),
            "failed": sum(f for _, f, _ in counts.rows),
            "total": sum(t for _, _, t in counts.rows),
            "query": counts.query,
        }

    return router
