"""The query API under /api/v1: services (RED), traces, metrics and logs, all JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from nightcall.api.params import Cursor, Limit, TimeParam, request_window
from nightcall.errors import BadRequest
from nightcall.store.queries_logs import SEVERITY_FLOOR, search_logs
from nightcall.store.queries_metrics import list_metrics, metric_series
from nightcall.store.queries_traces import (
    TraceFilter,
    Window,
    get_trace,
    search_traces,
    service_red,
)
from nightcall.store.store import Store


def query_router(store: Store, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one store and one clock."""
    router = APIRouter(prefix="/api/v1", tags=["query"])

    def window(start: str | None, end: str | None, default_start: str) -> Window:
        return request_window(start, end, now_ns=now_ns(), default_start=default_start)

    @router.get("/services", summary="Each service's rate, errors and duration percentiles")
    def services(start: TimeParam = None, end: TimeParam = None) -> dict[str, Any]:
        span = window(start, end, "-1h")
        return {
            "services": service_red(store, span),
            "start": span.start_ns,
            "end": span.end_ns,
            "next": None,
        }

    @router.get("/traces", summary="Traces with a span matching the filters, newest first")
    def traces(
        service: str | None = None,
        operation: str | None = None,
        min_duration_ms: Annotated[float | None, Query(ge=0)] = None,
        status: Literal["error", "any"] = "any",
        attr: Annotated[
            list[str] | None, Query(description="Attribute filter key=value; repeatable.")
        ] = None,
        start: TimeParam = None,
        end: TimeParam = None,
        limit: Limit = 20,
        cursor: Cursor = None,
    ) -> dict[str, Any]:
        attributes = []
        for item in attr or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise BadRequest(
                    f"attr {item!r} is not key=value", location="attr", hint="attr=http.route=/x"
                )
            attributes.append((key, value))
        query = TraceFilter(
            window=window(start, end, "-1h"),
            service=service,
            operation=operation,
            min_duration_ns=int(min_duration_ms * 1e6) if min_duration_ms is not None else None,
            errors_only=status == "error",
            attributes=tuple(attributes),
        )
        found, next_cursor = search_traces(store, query, limit=limit, cursor=_cursor(cursor))
        return {"traces": found, "next": next_cursor}

    @router.get("/traces/{trace_id}", summary="Every span of one trace")
    def trace(
        trace_id: Annotated[str, Path(pattern="^[0-9a-fA-F]{32}$")],
    ) -> dict[str, Any]:
        return get_trace(store, trace_id)

    @router.get("/metrics", summary="Metric names with their type, unit and attribute keys")
    def metrics(start: TimeParam = None, end: TimeParam = None) -> dict[str, Any]:
        return {"metrics": list_metrics(store, window(start, end, "-24h")), "next": None}

    @router.get("/metrics/{name}/series", summary="One metric aggregated over time")
    def series(
        name: str,
        start: TimeParam = None,
        end: TimeParam = None,
        step: Annotated[float | None, Query(gt=0, description="Bucket width, seconds.")] = None,
        group_by: Annotated[
            str | None, Query(description="Comma-separated: service, resource.KEY, or KEY.")
        ] = None,
        agg: Annotated[
            str | None,
            Query(
                description="gauge: avg|min|max|sum|last|count; sum: rate or those; "
                "histogram: p50|p90|p95|p99|avg|rate"
            ),
        ] = None,
        service: str | None = None,
    ) -> dict[str, Any]:
        keys = tuple(k.strip() for k in (group_by or "").split(",") if k.strip())
        return metric_series(
            store,
            name,
            window(start, end, "-1h"),
            step_s=step,
            group_by=keys,
            agg=agg,
            service=service,
        )

    @router.get("/logs", summary="Log records, newest first")
    def logs(
        service: str | None = None,
        severity: Annotated[
            str | None, Query(description="Floor: " + ", ".join(SEVERITY_FLOOR))
        ] = None,
        q: Annotated[str | None, Query(description="Text the body contains.")] = None,
        trace_id: str | None = None,
        start: TimeParam = None,
        end: TimeParam = None,
        limit: Limit = 100,
        cursor: Cursor = None,
    ) -> dict[str, Any]:
        if severity and severity.lower() not in SEVERITY_FLOOR:
            raise BadRequest(
                f"severity {severity!r} is not known",
                location="severity",
                hint="one of " + ", ".join(SEVERITY_FLOOR),
            )
        found, next_cursor = search_logs(
            store,
            window(start, end, "-1h"),
            service=service,
            severity=severity,
            text=q,
            trace_id=trace_id,
            limit=limit,
            cursor=_cursor(cursor),
        )
        return {"logs": found, "next": next_cursor}

    return router


def _cursor(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    head, sep, _ = cursor.partition(":")
    if not head.isdigit() or not sep:
        raise BadRequest(
            f"cursor {cursor!r} is not one this API gave out",
            location="cursor",
            hint="pass the `next` value of the previous page unchanged",
        )
    return cursor
