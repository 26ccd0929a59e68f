"""Trace analysis over HTTP: one trace's critical path, the service map, slow vs baseline.

Routes only parse, fetch from the store, call the pure analyses and shape JSON: durations in
ms beside the Unix nanoseconds where precision matters. The app includes this router before
the query router, so `/traces/compare` is not taken for a trace id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from nightcall.analysis.traces import (
    BottleneckRule,
    CohortComparison,
    ErrorSpan,
    ServiceMap,
    TraceAnalysis,
    analyze_trace,
    build_service_map,
    compare_cohorts,
    span_from_row,
)
from nightcall.analysis.traces.trace_analysis import SEEDS_BOTTLENECK_RULE
from nightcall.api.params import TimeParam, request_window
from nightcall.model import format_time_ns
from nightcall.store.queries_service_map import service_edges
from nightcall.store.queries_trace_cohorts import TraceCohorts, fetch_cohorts
from nightcall.store.queries_traces import Window, get_trace
from nightcall.store.store import Store


def traces_analysis_router(store: Store, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one store and one clock."""
    router = APIRouter(prefix="/api/v1", tags=["trace analysis"])

    def window(start: str | None, end: str | None) -> Window:
        return request_window(start, end, now_ns=now_ns(), default_start="-1h")

    @router.get("/service-map", summary="Services and dependencies with per-edge RED")
    def service_map(start: TimeParam = None, end: TimeParam = None) -> dict[str, Any]:
        span = window(start, end)
        shaped = build_service_map(service_edges(store, span), window_s=span.seconds)
        return {**service_map_json(shaped), "start": span.start_ns, "end": span.end_ns}

    @router.get(
        "/traces/compare", summary="Slowest traces of an operation against the rest: what grew"
    )
    def compare(
        service: str,
        operation: str,
        start: TimeParam = None,
        end: TimeParam = None,
        slow_percentile: Annotated[
            float, Query(gt=0, lt=100, description="Traces at or above it are the slow cohort.")
        ] = 90,
        max_traces: Annotated[int, Query(ge=1, le=2000, description="Per cohort.")] = 200,
    ) -> dict[str, Any]:
        span = window(start, end)
        cohorts = fetch_cohorts(
            store,
            span,
            service=service,
            operation=operation,
            slow_percentile=slow_percentile,
            max_traces=max_traces,
        )
        slow = [[span_from_row(r) for r in rows] for rows in cohorts.slow.values()]
        baseline = [[span_from_row(r) for r in rows] for rows in cohorts.baseline.values()]
        result = compare_cohorts([t for t in slow if t], [t for t in baseline if t])
        return {
            "service": service,
            "operation": operation,
            "start": span.start_ns,
            "end": span.end_ns,
            "slow_percentile": slow_percentile,
            **comparison_json(result, cohorts),
        }

    @router.get(
        "/traces/{trace_id}/analysis",
        summary="Critical path, self-times, bottlenecks and errors of one trace",
    )
    def analysis(
        trace_id: Annotated[str, Path(pattern="^[0-9a-fA-F]{32}$")],
        bottlenecks: Annotated[
            Literal["self", "seeds"],
            Query(description="self: largest self-time; seeds: spans > 1 s, slowest first."),
        ] = "self",
    ) -> dict[str, Any]:
        trace = get_trace(store, trace_id)
        rule = SEEDS_BOTTLENECK_RULE if bottlenecks == "seeds" else BottleneckRule()
        result = analyze_trace([span_from_row(s) for s in trace["spans"]], rule=rule)
        return {"trace_id": trace["trace_id"], **analysis_json(result)}

    return router


def _ms(ns: float) -> float:
    return ns / 1e6


def _error_json(error: ErrorSpan) -> dict[str, Any]:
    return {
        "span_id": error.span_id,
        "service": error.service,
        "name": error.name,
        "message": error.message,
        "depth": error.depth,
        "start_unix_nano": error.start_ns,
        "is_origin": error.is_origin,
    }


def analysis_json(result: TraceAnalysis) -> dict[str, Any]:
    """One trace's analysis as the API answers it."""
    spans = sorted(result.spans, key=lambda t: (t.start_ns, t.span_id))
    return {
        "start": format_time_ns(result.start_ns),
        "start_unix_nano": result.start_ns,
        "duration_ms": _ms(result.duration_ns),
        "critical_path": [
            {
                "span_id": s.span_id,
                "service": s.service,
                "name": s.name,
                "start_unix_nano": s.start_ns,
                "end_unix_nano": s.end_ns,
                "offset_ms": _ms(s.start_ns - result.start_ns),
                "duration_ms": _ms(s.duration_ns),
            }
            for s in result.critical_path
        ],
        "spans": [
            {
                "span_id": t.span_id,
                "parent_span_id": t.parent_span_id,
                "service": t.service,
                "name": t.name,
                "depth": t.depth,
                "start_unix_nano": t.start_ns,
                "duration_ms": _ms(t.duration_ns),
                "self_ms": _ms(t.self_ns),
                "critical_ms": _ms(t.critical_ns),
                "on_critical_path": t.is_on_critical_path,
            }
            for t in spans
        ],
        "bottlenecks": [
            {
                "span_id": b.span_id,
                "service": b.service,
                "name": b.name,
                "duration_ms": _ms(b.duration_ns),
                "self_ms": _ms(b.self_ns),
                "critical_ms": _ms(b.critical_ns),
                "share": b.share,
            }
            for b in result.bottlenecks
        ],
        "errors": [_error_json(e) for e in result.errors],
        "error_origin": _error_json(result.error_origin) if result.error_origin else None,
        "orphan_span_ids": list(result.orphan_span_ids),
    }


def service_map_json(service_map: ServiceMap) -> dict[str, Any]:
    """The service map as the API answers it: `{"nodes": [...], "edges": [...]}`."""
    return {
        "nodes": [
            {
                "name": n.name,
                "kind": n.kind,
                "calls_in": n.calls_in,
                "errors_in": n.errors_in,
                "calls_out": n.calls_out,
            }
            for n in service_map.nodes
        ],
        "edges": [
            {
                "caller": e.caller,
                "callee": e.callee,
                "calls": e.calls,
                "errors": e.errors,
                "rate_per_s": e.rate_per_s,
                "error_rate": e.error_rate,
                "p50_ms": e.p50_ms,
                "p95_ms": e.p95_ms,
            }
            for e in service_map.edges
        ],
    }


def comparison_json(result: CohortComparison, cohorts: TraceCohorts) -> dict[str, Any]:
    """A cohort comparison with the trace ids behind it, so a person can check it."""
    return {
        "threshold_ms": _ms(cohorts.threshold_ns),
        "traces_seen": cohorts.traces_seen,
        "slow_traces": result.slow_traces,
        "baseline_traces": result.baseline_traces,
        "slow_mean_ms": _ms(result.slow_mean_duration_ns),
        "baseline_mean_ms": _ms(result.baseline_mean_duration_ns),
        "gap_ms": _ms(result.gap_ns),
        "operations": [
            {
                "service": o.service,
                "operation": o.operation,
                "slow_mean_self_ms": _ms(o.slow_mean_self_ns),
                "baseline_mean_self_ms": _ms(o.baseline_mean_self_ns),
                "slow_p95_self_ms": _ms(o.slow_p95_self_ns),
                "baseline_p95_self_ms": _ms(o.baseline_p95_self_ns),
                "delta_mean_self_ms": _ms(o.delta_mean_self_ns),
                "contribution": o.contribution,
            }
            for o in result.operations
        ],
        "attributes": [
            {
                "key": a.key,
                "value": a.value,
                "slow_traces": a.slow_traces,
                "baseline_traces": a.baseline_traces,
                "slow_share": a.slow_share,
                "baseline_share": a.baseline_share,
                "lift": a.lift,
                "score": a.score,
            }
            for a in result.attributes
        ],
        "slow_trace_ids": list(cohorts.slow),
        "baseline_trace_ids": list(cohorts.baseline),
    }
