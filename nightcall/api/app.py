"""`create_app`: the HTTP application, given everything it needs as arguments."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from nightcall import __version__
from nightcall.alerts import build_alert_engine
from nightcall.api.alert_incidents import incident_opener
from nightcall.api.auth import require_key
from nightcall.api.auth_sentry import require_sentry_key
from nightcall.api.diagnosis_service import DiagnosisService
from nightcall.api.errors import install_error_handlers
from nightcall.api.keys import KeyKind, KeyRing
from nightcall.api.routes_alerts import alerts_router
from nightcall.api.routes_diagnosis import diagnosis_router
from nightcall.api.routes_diagnostics import diagnostics_router
from nightcall.api.routes_dimensions import dimensions_router
from nightcall.api.routes_error_groups import error_groups_router
from nightcall.api.routes_errors import errors_router
from nightcall.api.routes_incidents import incidents_router
from nightcall.api.routes_log_templates import log_templates_router
from nightcall.api.routes_query import query_router
from nightcall.api.routes_service_series import service_series_router
from nightcall.api.routes_traces_analysis import traces_analysis_router
from nightcall.api.selfmetrics import NightcallCollector, render_metrics
from nightcall.api.sources import start_sources
from nightcall.config import Settings
from nightcall.incidents import IncidentService
from nightcall.ingest.otlp.routes import otlp_routes
from nightcall.ingest.sentry.routes import sentry_routes
from nightcall.model import DecodedRequest, ItemCounters
from nightcall.store.pipeline import IngestPipeline
from nightcall.store.store import Store


@dataclass(slots=True, kw_only=True)
class Runtime:
    """The parts one server runs on: built by `nightcall serve` or by a test fixture."""

    settings: Settings
    store: Store
    pipeline: IngestPipeline
    keyring: KeyRing
    counters: ItemCounters = field(default_factory=ItemCounters)
    now_ns: Callable[[], int] = time.time_ns
    # `nightcall serve` hands the store to the app: uvicorn re-raises SIGTERM once the app has
    # shut down, so code after `uvicorn.run` never runs and the lifespan must close it.
    closes_store: bool = False


# The OTLP routes read their body themselves; this tells OpenAPI readers what they accept.
_OTLP_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-protobuf": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def _guarded(
    endpoint: Callable[[Request], Awaitable[Response]], authorize: Callable[[Request], None]
) -> Callable[[Request], Awaitable[Response]]:
    """`endpoint` behind an authorization check (a closure: FastAPI reads defaults as params)."""

    async def guarded(request: Request) -> Response:
        authorize(request)
        return await endpoint(request)

    return guarded


def create_app(runtime: Runtime, *, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The app: OTLP ingest, the query API, /healthz and /metrics.

    The pipeline is started and stopped by whoever built the runtime; the app's lifespan only
    drains it on shutdown so acknowledged data reaches the store. `routers` are added last, as
    they are: the layers above the API add theirs this way (`nightcall serve` adds the web UI's,
    which must not be imported from here).
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        sources = await start_sources(runtime)  # StatsD, host collector, probes
        diagnoses.start(runtime.settings.diagnosis_interval_s, runtime.settings.diagnosis_window_s)
        alerts.start(runtime.settings.alerts_interval_s)
        yield
        await asyncio.to_thread(diagnoses.stop)
        await asyncio.to_thread(alerts.stop)
        await sources.stop()  # before the drain, so their last records are stored
        await asyncio.to_thread(runtime.pipeline.close)
        if runtime.closes_store:
            await asyncio.to_thread(runtime.store.close)

    alerts = build_alert_engine(runtime.store, runtime.pipeline, runtime.settings, runtime.now_ns)
    diagnoses = DiagnosisService(
        runtime.store, runtime.pipeline, runtime.now_ns, on_hypotheses=alerts.observe_hypotheses
    )
    incidents = IncidentService(runtime.store, runtime.pipeline, runtime.now_ns)
    alerts.open_incident = incident_opener(incidents)
    app = FastAPI(
        title="nightcall",
        version=__version__,
        summary="Production debugging: telemetry in, causes out.",
        lifespan=lifespan,
    )
    install_error_handlers(app, runtime.counters)

    async def submit(decoded: DecodedRequest) -> None:
        future = runtime.pipeline.submit(decoded.batches)
        await asyncio.wrap_future(future)
        runtime.counters.accepted(decoded.signal, decoded.accepted)
        if decoded.rejected:
            runtime.counters.dropped(decoded.signal, "invalid_item", decoded.rejected)

    def authorize_ingest(request: Request) -> None:
        require_key(request, runtime.keyring, {KeyKind.INGEST})

    def authorize_api(request: Request) -> None:
        require_key(request, runtime.keyring, {KeyKind.API})

    for route in otlp_routes(submit=submit, max_body_bytes=runtime.settings.max_body_bytes):
        app.add_api_route(
            route.path,
            _guarded(route.endpoint, authorize_ingest),
            methods=["POST"],
            tags=["ingest"],
            summary=f"OTLP/HTTP {route.path.removeprefix('/v1/')} (protobuf or JSON)",
            openapi_extra=_OTLP_BODY,
        )

    # Before the query router, so /api/v1/traces/compare is not read as a trace id.
    app.include_router(
        traces_analysis_router(runtime.store, runtime.now_ns),
        dependencies=[Depends(authorize_api)],
    )
    app.include_router(
        query_router(runtime.store, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    app.include_router(
        service_series_router(runtime.store, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    app.include_router(
        log_templates_router(runtime.store, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    app.include_router(
        errors_router(runtime.store, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    app.include_router(
        diagnosis_router(diagnoses, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    app.include_router(
        diagnostics_router(runtime.settings, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    app.include_router(alerts_router(alerts, runtime.now_ns), dependencies=[Depends(authorize_api)])
    app.include_router(
        dimensions_router(runtime.store, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    app.include_router(
        incidents_router(incidents, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )
    # After the event routes, so /api/v1/errors/events is not read as a group's fingerprint.
    app.include_router(
        error_groups_router(runtime.store, runtime.now_ns), dependencies=[Depends(authorize_api)]
    )

    def authorize_sentry(project_id: str, public_key: str | None) -> None:
        require_sentry_key(runtime.keyring, project_id, public_key)

    for route in sentry_routes(
        submit=submit,
        authorize=authorize_sentry,
        counters=runtime.counters,
        max_body_bytes=runtime.settings.max_body_bytes,
        now_ns=runtime.now_ns,
    ):
        app.add_api_route(
            route.path,
            route.endpoint,
            methods=["POST"],
            tags=["ingest"],
            summary=f"Sentry {route.name.removeprefix('sentry_')} (DSN key auth, gzip/deflate)",
        )

    @app.get("/healthz", tags=["ops"], summary="Liveness and the write path's state")
    def healthz() -> dict[str, Any]:
        stats = runtime.pipeline.stats
        return {
            "status": "ok",
            "version": __version__,
            "wal_pending_bytes": stats.pending_bytes,
            "writer_lag_s": runtime.pipeline.writer_lag_s(),
        }

    collector = NightcallCollector(runtime.counters, runtime.pipeline, runtime.store.row_counts)

    @app.get("/metrics", tags=["ops"], summary="nightcall's own Prometheus metrics")
    def metrics(request: Request) -> Response:
        authorize_api(request)
        return Response(render_metrics(collector), media_type="text/plain; version=0.0.4")

    for router in routers:
        app.include_router(router)
    return app
