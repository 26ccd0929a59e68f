"""One incident's record, told as events, for the pure tests (fold, timeline, post-mortem).

An alert on checkout's latency opens INC-1; the data shows payment's calls slowing at 03:25;
H1 (the database) is rejected after pg_stat_statements, H2 (the payment API) confirmed with
a trace and a diagnostic; the fix holds and the incident closes.
"""

from __future__ import annotations

from typing import Any

from nightcall.incidents.timeline import entry_to_json
from nightcall.model import (
    IncidentEvent,
    IncidentEventKind,
    TimelineEntry,
    TimelineKind,
    TimelineSource,
)

T0 = 1_793_502_000 * 10**9  # 2026-11-01 03:00:00 UTC
MIN = 60 * 10**9
K = IncidentEventKind


def at(minutes: float) -> int:
    return T0 + int(minutes * MIN)


def _data(kind: TimelineKind, minutes: float, title: str, service: str) -> dict[str, Any]:
    entry = TimelineEntry(
        time_ns=at(minutes),
        kind=kind,
        source=TimelineSource.DATA,
        title=title,
        service=service,
        link=f"/api/v1/anomalies?service={service}",
        evidence={"series": f'latency_p95{{service="{service}"}}'},
    )
    return entry_to_json(entry)


ALERT = {
    "kind": "alert",
    "rule": "checkout_p95_high",
    "severity": "critical",
    "fired_unix_nano": at(28),
    "group_key": "checkout_p95_high",
    "summary": "checkout p95 over 2 s",
    "runbook_url": "https://runbooks/checkout",
}
DATA = {
    "window": {"start_ns": at(0), "end_ns": at(60)},
    "onset_ns": at(25),
    "recovery_ns": at(52),
    "impact": {
        "endpoints": [
            {
                "service": "checkout",
                "endpoint": "POST /checkout",
                "requests_before": 900,
                "requests_after": 800,
                "error_rate_before": 0.01,
                "error_rate_after": 0.12,
                "p95_before_ms": 180.0,
                "p95_after_ms": 1900.0,
            }
        ],
        "failed_requests": 88,
        "requests_after": 800,
        "error_events": 40,
        "users": 31,
        "devices": 0,
    },
    "signals": {
        "fingerprints": ["f00d"],
        "hypotheses": ["slow_dependency:payment"],
        "templates": ["payment: charge timed out after <*> ms"],
        "services": ["checkout", "payment"],
    },
    "timeline": [
        _data(TimelineKind.FIRST_ANOMALY, 25.5, "First anomaly: payment calls slowed", "payment"),
        _data(TimelineKind.ONSET, 25, "Onset of the fault (estimated): payment leads", "payment"),
        _data(TimelineKind.DEPLOY, 24, "Deploy of payment: 2.4.0 -> 2.4.1", "payment"),
        _data(TimelineKind.RECOVERY, 52, "Recovery: latency_p95 back near 180 ms", "payment"),
    ],
}
SCOPE = {
    "services": ["checkout", "payment"],
    "endpoints": ["checkout: POST /checkout"],
    "users": ["u1", "u2"],
    "devices": [],
    "user_count": 31,
    "device_count": 0,
}
DIAGNOSTIC = {
    "kind": "diagnostic",
    "label": "socket_summary",
    "name": "socket_summary",
    "command": ["ss", "-s"],
    "exit_code": 0,
    "host": "pay-1",
    "output": "Total: 812\nTCP: 640 (estab 590, closed 12, timewait 38)",
}


def story_events() -> list[IncidentEvent]:
    """INC-1 from its alert to its close, in order."""
    steps: list[tuple[int, str, K, dict[str, Any]]] = [
        (
            at(30),
            "alerts",
            K.OPENED,
            {
                "title": "Checkout is slow",
                "severity": "P1",
                "commander": "",
                "start_ns": at(0),
                "end_ns": None,
                "source": ALERT,
            },
        ),
        (at(30), "alerts", K.SCOPE_COMPUTED, SCOPE),
        (at(30), "alerts", K.DATA_READ, DATA),
        (
            at(30),
            "alerts",
            K.HYPOTHESIS_PROPOSED,
            {
                "id": "H1",
                "statement": "The orders database is slow",
                "kind": "slow_dependency",
                "service": "orders-db",
                "source": "engine",
                "confidence": 0.41,
                "evidence": [
                    {
                        "kind": "measurement",
                        "label": "db p95",
                        "value": 45.0,
                        "unit": "ms",
                        "query": "/api/v1/traces?service=orders-db",
                    }
                ],
                "details": {"steps": ["Check pg_stat_statements"]},
            },
        ),
        (
            at(30),
            "alerts",
            K.HYPOTHESIS_PROPOSED,
            {
                "id": "H2",
                "statement": "The payment API got slow",
                "kind": "slow_dependency",
                "service": "payment",
                "source": "engine",
                "confidence": 0.83,
                "evidence": [
                    {
                        "kind": "measurement",
                        "label": "payment calls p95",
                        "value": 1800.0,
                        "unit": "ms",
                        "query": "/api/v1/traces?service=payment",
                    }
                ],
                "details": {
                    "stabilize": ["Open the circuit breaker to payment"],
                    "diagnostics": ["socket_summary on the payment hosts"],
                },
            },
        ),
        (at(31), "alice", K.COMMANDER_CHANGED, {"commander": "alice", "previous": ""}),
        (
            at(31),
            "alice",
            K.PHASE_CHANGED,
            {"phase": "triage", "previous": "detect", "reason": "real: checkout errors at 12 %"},
        ),
        (
            at(33),
            "alice",
            K.PHASE_CHANGED,
            {"phase": "stabilize", "previous": "triage", "reason": "rolled payment back to 2.4.0"},
        ),
        (at(35), "bob", K.NOTE_ADDED, {"text": "Rollback done, watching p95"}),
        (
            at(36),
            "alice",
            K.PHASE_CHANGED,
            {"phase": "diagnose", "previous": "stabilize", "reason": ""},
        ),
        (
            at(40),
            "bob",
            K.HYPOTHESIS_UPDATED,
            {"id": "H1", "status": "rejected", "reason": "pg_stat_statements: nothing over 50 ms"},
        ),
        (
            at(44),
            "bob",
            K.HYPOTHESIS_UPDATED,
            {
                "id": "H2",
                "evidence": [
                    {
                        "kind": "trace",
                        "label": "a 1.8 s payment call",
                        "trace_id": "4bf92f3577b34da6",
                    },
                    DIAGNOSTIC,
                ],
            },
        ),
        (
            at(45),
            "bob",
            K.HYPOTHESIS_UPDATED,
            {"id": "H2", "status": "confirmed", "reason": "payment API 1.8 s in traces"},
        ),
        (
            at(46),
            "alice",
            K.PHASE_CHANGED,
            {
                "phase": "fix",
                "previous": "diagnose",
                "reason": "payment 2.4.2 reverts the pool change",
            },
        ),
        (
            at(70),
            "alice",
            K.PHASE_CHANGED,
            {"phase": "closed", "previous": "fix", "reason": "p95 back to 180 ms for 15 min"},
        ),
    ]
    return [
        IncidentEvent(
            incident_id="INC-1", seq=seq, time_ns=time_ns, kind=kind, actor=actor, payload=payload
        )
        for seq, (time_ns, actor, kind, payload) in enumerate(steps, start=1)
    ]
