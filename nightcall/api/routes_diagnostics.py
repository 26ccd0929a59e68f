"""The diagnostics API: the allow-list, running one diagnostic on this host, the recent runs.

`POST /api/v1/diagnostics/run` runs only catalogue entries with validated parameters (else 400
naming the allowed names or values), at most `max_concurrent` at a time (else 503 with
Retry-After), and only while `diagnostics_enabled` allows it (by default, only on a server that
listens on loopback). Every run lands in the log that `GET /api/v1/diagnostics/runs` lists.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, JsonValue

from nightcall.config import Settings
from nightcall.errors import BadRequest, NotFound, Overloaded
from nightcall.explain.diagnostics import (
    CATALOGUE,
    Catalogue,
    DiagnosticLog,
    DiagnosticResult,
    Policy,
    Runner,
    run_command,
    run_diagnostic,
)

ARTIFACTS = "/api/v1/diagnostics/artifacts/"


class RunRequest(BaseModel):
    """The body of POST /api/v1/diagnostics/run."""

    name: str = Field(description="A diagnostic of GET /api/v1/diagnostics.")
    params: dict[str, JsonValue] = Field(
        default_factory=dict, description="pid, host, port, url, duration_s as it takes them."
    )


def diagnostics_allowed(settings: Settings) -> bool:
    """Whether the API may run diagnostics: `diagnostics_enabled`, with auto = on loopback."""
    choice = settings.diagnostics_enabled.lower()
    return choice == "true" or (choice == "auto" and settings.is_loopback())


def diagnostics_policy(settings: Settings) -> Policy:
    """The hosts network diagnostics may reach: loopback and `diagnostics_allowed_hosts`."""
    hosts = (h.strip().lower() for h in settings.diagnostics_allowed_hosts.split(","))
    return Policy(allowed_hosts=frozenset(h for h in hosts if h))


def _result_json(result: DiagnosticResult) -> dict[str, Any]:
    answer = result.to_json()
    answer["artifact_urls"] = [ARTIFACTS + Path(path).name for path in result.artifacts]
    return answer


def diagnostics_router(
    settings: Settings,
    now_ns: Callable[[], int],
    *,
    log: DiagnosticLog | None = None,
    runner: Runner = run_command,
    catalogue: Catalogue = CATALOGUE,
    max_concurrent: int = 2,
) -> APIRouter:
    """Routes bound to one settings table, clock and run log (a fresh one unless given)."""
    router = APIRouter(prefix="/api/v1/diagnostics", tags=["diagnostics"])
    runs = log if log is not None else DiagnosticLog()
    slots = threading.BoundedSemaphore(max_concurrent)
    policy = diagnostics_policy(settings)
    artifacts_dir = settings.data_dir / "diagnostics"

    @router.get("", summary="The allow-listed diagnostics this server can run")
    def catalogue_list() -> dict[str, Any]:
        return {
            "diagnostics": [diagnostic.to_json() for diagnostic in catalogue.values()],
            "enabled": diagnostics_allowed(settings),
            "next": None,
        }

    @router.post("/run", summary="Run one allow-listed diagnostic on this host")
    def run(request: RunRequest) -> dict[str, Any]:
        if not diagnostics_allowed(settings):
            raise BadRequest(
                f"running diagnostics is turned off on this server (diagnostics_enabled = "
                f"{settings.diagnostics_enabled}, listening on {settings.host})",
                location="diagnostics_enabled",
                hint="set diagnostics_enabled = true in nightcall.toml (or "
                "NIGHTCALL_DIAGNOSTICS_ENABLED=true), or run `nightcall diagnostics run NAME` "
                "on the host itself",
            )
        if not slots.acquire(blocking=False):
            raise Overloaded(
                f"{max_concurrent} diagnostics are already running on this server",
                retry_after_s=5,
                hint="wait for them to finish (GET /api/v1/diagnostics/runs), then retry",
            )
        try:
            result = run_diagnostic(request.name, request.params, clock=now_ns, runner=runner,
                                    catalogue=catalogue, policy=policy, log_to=runs,
                                    artifacts_dir=artifacts_dir)  # fmt: skip
        finally:
            slots.release()
        return _result_json(result)

    @router.get("/runs", summary="The diagnostics run recently, newest first")
    def recent(
        limit: Annotated[int, Query(ge=1, le=10_000, description="Most runs.")] = 50,
    ) -> dict[str, Any]:
        return {"runs": [_result_json(result) for result in runs.recent(limit)], "next": None}

    @router.get("/artifacts/{file_name}", summary="A file a recent run made (a flame graph)")
    def artifact(file_name: str) -> FileResponse:
        for result in runs.recent(10_000):
            for path in result.artifacts:
                if Path(path).name == file_name and Path(path).is_file():
                    return FileResponse(path, media_type=_media_type(path))
        raise NotFound(
            f"no recent diagnostic run made a file named {file_name!r}",
            location="file_name",
            hint="the artifact_urls of GET /api/v1/diagnostics/runs list what there is",
        )

    return router


def _media_type(path: str) -> str:
    return "image/svg+xml" if path.endswith(".svg") else "application/octet-stream"
