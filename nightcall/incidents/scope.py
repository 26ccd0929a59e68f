"""Scope and blast radius from the data: which services, endpoints, users and devices.

Affected services are those with an anomaly (not a recurring pattern) around the onset, the
leading candidate cause, and every service that calls it (they wait on it, whether or not
their own detectors fired). Affected endpoints are the entry endpoints of those services whose
error rate or p95 moved after the onset; users and devices are those of their error events
after the onset. Pure: the store's reductions come in as arguments.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from nightcall.explain import Diagnosis, Telemetry
from nightcall.model import Finding, FindingKind, Scope
from nightcall.store.queries_incidents import EndpointShift, ErrorReach

MAX_ENDPOINTS = 10
RELATED_BEFORE_NS = 120 * 10**9
RELATED_AFTER_NS = 240 * 10**9
ERROR_RATE_RISE = 0.01  # one percentage point more of failed requests, and at least doubled
LATENCY_RATIO = 1.5  # p95 half as slow again, and at least LATENCY_RISE_MS more
LATENCY_RISE_MS = 20.0


def callers_of(telemetry: Telemetry) -> dict[str, set[str]]:
    """Who calls whom, from the dependency series (`calls{service, dependency}`)."""
    known = set(telemetry.services)
    callers: dict[str, set[str]] = defaultdict(set)
    for series in telemetry.series:
        callee = series.key.label("dependency")
        if series.key.name == "calls" and callee in known and callee != series.key.service:
            callers[callee].add(series.key.service)
    return callers


def upstream(service: str, callers: dict[str, set[str]]) -> set[str]:
    """Every service that calls `service`, directly or through others."""
    seen: set[str] = set()
    todo = [service]
    while todo:
        for caller in callers.get(todo.pop(), set()):
            if caller not in seen and caller != service:
                seen.add(caller)
                todo.append(caller)
    return seen


def related_anomalies(diagnosis: Diagnosis) -> list[Finding]:
    """The anomalies (not recurring patterns) that began around the onset, oldest first.

    An hour of a busy system holds unrelated blips; those from `RELATED_BEFORE_NS` before the
    onset to `RELATED_AFTER_NS` after it are taken as the fault's (all, without an onset).
    """
    onset = diagnosis.onset_ns
    found = [
        f
        for f in diagnosis.anomalies
        if f.kind == FindingKind.ANOMALY
        and not f.is_recurring
        and (onset is None or onset - RELATED_BEFORE_NS <= f.onset_ns <= onset + RELATED_AFTER_NS)
    ]
    return sorted(found, key=lambda f: (f.onset_ns, -f.score))


def affected_services(diagnosis: Diagnosis, telemetry: Telemetry) -> list[str]:
    """The services with anomalies around the onset, the leading candidate, and the services
    upstream of it."""
    found = {f.service for f in related_anomalies(diagnosis) if f.service}
    if diagnosis.candidates:
        top = diagnosis.candidates[0].service
        found |= {top} | upstream(top, callers_of(telemetry))
    return sorted(found)


def _error_rate(errors: int, requests: int) -> float:
    return errors / requests if requests else 0.0


def worsened(shift: EndpointShift) -> float:
    """How much an endpoint got worse after the onset (0: it did not)."""
    if not shift.requests_after:
        return 0.0
    before = _error_rate(shift.errors_before, shift.requests_before)
    after = _error_rate(shift.errors_after, shift.requests_after)
    score = 0.0
    if after - before >= ERROR_RATE_RISE and after >= 2 * before:
        score += 10 * (after - before)
    p0, p1 = shift.p95_before_ms, shift.p95_after_ms
    if p0 and p1 and p1 >= LATENCY_RATIO * p0 and p1 - p0 >= LATENCY_RISE_MS:
        score += p1 / p0 - 1
    return score


def _endpoint_json(shift: EndpointShift) -> dict[str, Any]:
    return {
        "service": shift.service,
        "endpoint": shift.name,
        "requests_before": shift.requests_before,
        "requests_after": shift.requests_after,
        "error_rate_before": round(_error_rate(shift.errors_before, shift.requests_before), 4),
        "error_rate_after": round(_error_rate(shift.errors_after, shift.requests_after), 4),
        "p95_before_ms": shift.p95_before_ms,
        "p95_after_ms": shift.p95_after_ms,
    }


def scope_and_impact(
    services: Sequence[str], endpoints: Sequence[EndpointShift], reach: ErrorReach
) -> tuple[Scope, dict[str, Any]]:
    """The computed scope, and the impact figures the post-mortem's summary quotes."""
    hurt = sorted(
        (s for s in endpoints if worsened(s) > 0), key=lambda s: (-worsened(s), s.service, s.name)
    )[:MAX_ENDPOINTS]
    scope = Scope(
        services=tuple(services),
        endpoints=tuple(f"{s.service}: {s.name}" for s in hurt),
        users=reach.user_ids,
        devices=reach.device_models,
        user_count=reach.users,
        device_count=reach.devices,
    )
    failed = sum(
        max(
            0,
            s.errors_after
            - round(_error_rate(s.errors_before, s.requests_before) * s.requests_after),
        )
        for s in hurt
    )
    impact = {
        "endpoints": [_endpoint_json(s) for s in hurt],
        "failed_requests": failed,
        "requests_after": sum(s.requests_after for s in hurt),
        "error_events": reach.events,
        "users": reach.users,
        "devices": reach.devices,
    }
    return scope, impact
