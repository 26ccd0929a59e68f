"""The diagnosis API: /api/v1/hypotheses and /api/v1/anomalies for any window, on demand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query

from nightcall.api.diagnosis_json import anomaly_json, diagnosis_json, window_json
from nightcall.api.diagnosis_service import DiagnosisService
from nightcall.api.params import TimeParam, request_window
from nightcall.errors import BadRequest
from nightcall.explain import SIGNALS
from nightcall.store.queries_traces import Window

ALIGN_NS = 10 * 1_000_000_000  # "the last hour" asked twice within 10 s is the same window


def _window(start: str | None, end: str | None, now_ns: int) -> Window:
    window = request_window(start, end, now_ns=now_ns, default_start="-1h")
    if end is None:  # relative to now: align, so repeated asks share one cached diagnosis
        return Window(
            start_ns=window.start_ns - window.start_ns % ALIGN_NS,
            end_ns=window.end_ns - window.end_ns % ALIGN_NS + ALIGN_NS,
        )
    return window


def _signals(text: str | None) -> frozenset[str] | None:
    if not text:
        return None
    chosen = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(chosen - set(SIGNALS))
    if unknown or not chosen:
        raise BadRequest(
            f"signals {text!r} names {', '.join(unknown) or 'nothing'}, not a kind of telemetry",
            location="signals",
            hint="a comma-separated subset of " + ", ".join(SIGNALS),
        )
    return chosen


def diagnosis_router(service: DiagnosisService, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one diagnosis service and one clock."""
    router = APIRouter(prefix="/api/v1", tags=["diagnosis"])

    @router.get(
        "/hypotheses",
        summary="Ranked root-cause hypotheses for a window, with evidence and next steps",
    )
    def hypotheses(
        start: TimeParam = None,
        end: TimeParam = None,
        service_name: Annotated[
            str | None,
            Query(alias="service", description="Only this service and what it calls."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=10_000, description="Most hypotheses.")] = 10,
        signals: Annotated[
            str | None,
            Query(description="Comma-separated subset of " + ", ".join(SIGNALS) + "."),
        ] = None,
    ) -> dict[str, Any]:
        chosen = _signals(signals)
        diagnosis = service.diagnose(_window(start, end, now_ns()), service_name, chosen)
        return diagnosis_json(diagnosis, limit=limit)

    @router.get("/anomalies", summary="Anomalies the detectors agree on in a window")
    def anomalies(
        start: TimeParam = None,
        end: TimeParam = None,
        service_name: Annotated[
            str | None, Query(alias="service", description="Only this service's series.")
        ] = None,
        recurring: Annotated[
            bool, Query(description="Include recurring patterns (periodic, time of day).")
        ] = True,
        limit: Annotated[int, Query(ge=1, le=10_000, description="Most anomalies.")] = 1000,
    ) -> dict[str, Any]:
        diagnosis = service.diagnose(_window(start, end, now_ns()))
        found = [
            f
            for f in diagnosis.anomalies
            if (service_name is None or f.service == service_name)
            and (recurring or not f.is_recurring)
        ]
        found.sort(key=lambda f: (f.onset_ns, -f.score))
        return {
            "anomalies": [anomaly_json(f) for f in found[:limit]],
            "window": window_json(diagnosis),
            "next": None,
        }

    return router
