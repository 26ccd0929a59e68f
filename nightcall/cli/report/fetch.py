"""The API answers a debug report is built from, fetched through a `Backend` (server or data dir).

Every ask uses the same absolute window, resolved once by the server (so `--since 24h` means
the server's last 24 hours); the per-step RED series come from `/api/v1/services` asked once
per step, which keeps them the same numbers the services table shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from nightcall.cli.client import ApiError, Backend
from nightcall.cli.report.resources import (
    MAX_RESOURCE_METRICS,
    ResourceMetric,
    pick_resource_metrics,
)

HOUR_NS = 3600 * 1_000_000_000
MAX_TEMPLATES = 10_000
MAX_ERROR_GROUPS = 10_000
RECENT_TOP = 3  # hypotheses asked of the last hour, when the window is longer


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportInputs:
    """What the API answered, unchanged, for one window cut into `steps` steps of `step_ns`."""

    start_ns: int
    end_ns: int
    step_ns: int
    services: list[dict[str, Any]]
    red_steps: list[list[dict[str, Any]]]  # /api/v1/services per step, in order
    metrics: list[tuple[ResourceMetric, dict[str, Any]]]  # a picked metric and its series
    anomalies: dict[str, Any]
    hypotheses: dict[str, Any]
    recent: dict[str, Any] | None  # the last hour's hypotheses when the window is longer
    errors: dict[str, Any]
    errors_by_service: dict[str, dict[str, Any]]  # for services that share an error group
    templates: list[dict[str, Any]]
    untemplated_logs: bool = False  # no templates, yet log records: they cannot be counted
    notes: list[str] = field(default_factory=list)

    @property
    def steps(self) -> int:
        return len(self.red_steps)


def step_for(start_ns: int, end_ns: int, points: int) -> int:
    """A whole number of seconds per step giving at most `points` steps over the window."""
    return max(1, math.ceil((end_ns - start_ns) / points / 1e9)) * 1_000_000_000


def resolve_window(backend: Backend, start: str | None, end: str | None) -> tuple[int, int]:
    """The absolute window the server reads `start` and `end` as (relative to its clock)."""
    answer = backend.get("/api/v1/services", {"start": start or "-24h", "end": end})
    # Without an end the server's window ends 1 ns after now (to include now): drop that
    # nanosecond, so "the last 24 h" cuts into whole steps.
    return int(answer["start"]), int(answer["end"]) - (1 if end is None else 0)


def fetch_report_inputs(
    backend: Backend, start_ns: int, end_ns: int, *, points: int = 48
) -> ReportInputs:
    """Ask every endpoint the report reads, for the window `[start_ns, end_ns)`."""
    window = {"start": start_ns, "end": end_ns}
    step_ns = step_for(start_ns, end_ns, points)
    steps = math.ceil((end_ns - start_ns) / step_ns)
    services = backend.get("/api/v1/services", window)["services"]
    red_steps = [
        backend.get(
            "/api/v1/services",
            {"start": start_ns + i * step_ns, "end": min(end_ns, start_ns + (i + 1) * step_ns)},
        )["services"]
        for i in range(steps)
    ]
    notes: list[str] = []
    catalogue = backend.get("/api/v1/metrics", window)["metrics"]
    picked = pick_resource_metrics(catalogue)
    if len(picked) > MAX_RESOURCE_METRICS:
        left = ", ".join(m.name for m in picked[MAX_RESOURCE_METRICS:])
        notes.append(f"resource metrics left out (over {MAX_RESOURCE_METRICS}): {left}")
    metrics = []
    for metric in picked[:MAX_RESOURCE_METRICS]:
        params = {**window, "step": step_ns / 1e9, "agg": metric.agg,
                  "group_by": ",".join(metric.group_by)}  # fmt: skip
        try:
            metrics.append((metric, backend.get(f"/api/v1/metrics/{metric.name}/series", params)))
        except ApiError as exc:  # one metric the API refuses should not cost the whole report
            notes.append(f"metric {metric.name} left out: {exc.message}")
    hypotheses = backend.get("/api/v1/hypotheses", {**window, "limit": 10})
    anomalies = backend.get("/api/v1/anomalies", window)
    recent = None
    if end_ns - start_ns > 2 * HOUR_NS:
        recent_window = {"start": end_ns - HOUR_NS, "end": end_ns, "limit": RECENT_TOP}
        recent = backend.get("/api/v1/hypotheses", recent_window)
    errors = backend.get("/api/v1/errors", {**window, "limit": MAX_ERROR_GROUPS})
    shared = sorted({s for g in errors["errors"] if len(g["services"]) > 1 for s in g["services"]})
    errors_by_service = {
        service: backend.get(
            "/api/v1/errors", {**window, "service": service, "limit": MAX_ERROR_GROUPS}
        )
        for service in shared
    }
    templates = backend.get("/api/v1/logs/templates", {**window, "limit": MAX_TEMPLATES})
    untemplated = not templates["templates"] and bool(
        backend.get("/api/v1/logs", {**window, "limit": 1})["logs"]
    )
    return ReportInputs(
        start_ns=start_ns,
        end_ns=end_ns,
        step_ns=step_ns,
        services=services,
        red_steps=red_steps,
        metrics=metrics,
        anomalies=anomalies,
        hypotheses=hypotheses,
        recent=recent,
        errors=errors,
        errors_by_service=errors_by_service,
        templates=templates["templates"],
        untemplated_logs=untemplated,
        notes=notes,
    )
