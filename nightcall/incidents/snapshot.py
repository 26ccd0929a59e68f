"""One reading of an incident's data: diagnosis, scope, impact, data timeline and signals.

Taken when the incident opens and on each refresh, and kept in its record (a `data_read`
event), so the post-mortem and the memory of past incidents still hold after the telemetry
has aged out. The reads are the diagnosis' own (one pass over the window), plus a few
reductions in the engine: endpoints before and after the onset, error kinds and templates
before and after it, and who the errors reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from nightcall.analysis.errors import fingerprint_event
from nightcall.explain import Diagnosis, DiagnosisConfig, diagnose_telemetry, read_telemetry
from nightcall.incidents.memory import incident_signals
from nightcall.incidents.reconstruct import data_timeline
from nightcall.incidents.scope import affected_services, scope_and_impact
from nightcall.incidents.timeline import entry_to_json
from nightcall.model import Scope, TimelineEntry, TimelineKind
from nightcall.store.queries_incidents import ErrorKind, endpoint_shifts, error_kinds, error_reach
from nightcall.store.queries_log_templates import list_log_templates
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

RISE_RATIO = 2.0  # a signal "rose" when its rate after the onset is at least this many times
MIN_EVENTS = 3  # ... and it has at least this many events after the onset
_NOTICED = {"error", "err", "warn", "warning", "fatal", "critical", "crit", "alert", "emerg"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """What one reading of the window found."""

    window: Window
    diagnosis: Diagnosis
    scope: Scope
    impact: dict[str, Any]
    timeline: tuple[TimelineEntry, ...]
    signals: dict[str, tuple[str, ...]]

    @property
    def recovery_ns(self) -> int | None:
        return next((e.time_ns for e in self.timeline if e.kind == TimelineKind.RECOVERY), None)

    def data_payload(self) -> dict[str, Any]:
        """The `data_read` event's payload."""
        return {
            "window": {"start_ns": self.window.start_ns, "end_ns": self.window.end_ns},
            "onset_ns": self.diagnosis.onset_ns,
            "recovery_ns": self.recovery_ns,
            "impact": self.impact,
            "signals": {k: list(v) for k, v in self.signals.items()},
            "timeline": [entry_to_json(e) for e in self.timeline],
        }

    def scope_payload(self) -> dict[str, Any]:
        """The `scope_computed` event's payload."""
        s = self.scope
        return {
            "services": list(s.services),
            "endpoints": list(s.endpoints),
            "users": list(s.users),
            "devices": list(s.devices),
            "user_count": s.user_count,
            "device_count": s.device_count,
        }


def _decoded(raw: str) -> Any:
    try:
        return orjson.loads(raw) if raw else None
    except orjson.JSONDecodeError:
        return None


def fingerprint_of(kind: ErrorKind) -> str:
    """The grouping fingerprint of one error kind's latest event (as error groups compute it)."""
    event: dict[str, Any] = {"platform": kind.platform}
    for key, raw in kind.parts.items():
        if (value := _decoded(raw)) is not None:
            event[key] = value
    if "exception" not in event and kind.exception_type:
        event["exception"] = {
            "values": [{"type": kind.exception_type, "value": kind.exception_value}]
        }
    if "exception" not in event:
        event["message"] = kind.exception_value
    return fingerprint_event(event).digest


def _rose(before: int, after: int, before_s: float, after_s: float) -> bool:
    if after < MIN_EVENTS:
        return False
    return before == 0 or (after / after_s) >= RISE_RATIO * (before / before_s)


def risen_fingerprints(store: Store, window: Window, onset_ns: int) -> list[str]:
    """Fingerprints of the error kinds that rose (or appeared) after the onset."""
    before_w, after_w = (
        Window(start_ns=window.start_ns, end_ns=onset_ns),
        Window(start_ns=onset_ns, end_ns=window.end_ns),
    )
    before = {(k.service, k.exception_type): k.count for k in error_kinds(store, before_w)}
    return [
        fingerprint_of(k)
        for k in error_kinds(store, after_w)
        if _rose(
            before.get((k.service, k.exception_type), 0), k.count, before_w.seconds, after_w.seconds
        )
    ]


def risen_templates(store: Store, window: Window, onset_ns: int) -> list[str]:
    """`service: template` of the warning-or-worse log templates that rose after the onset."""
    before_w = Window(start_ns=window.start_ns, end_ns=onset_ns)
    after_w = Window(start_ns=onset_ns, end_ns=window.end_ns)

    def counts(w: Window) -> Mapping[tuple[str, str], int]:
        return {
            (str(t["service"]), str(t["template"])): int(t["count"])
            for t in list_log_templates(store, w, limit=500)
            if t["template"] and str(t["severity"]).lower() in _NOTICED
        }

    before = counts(before_w)
    return [
        f"{service}: {template}"
        for (service, template), n in counts(after_w).items()
        if _rose(before.get((service, template), 0), n, before_w.seconds, after_w.seconds)
    ]


def take_snapshot(
    store: Store,
    window: Window,
    *,
    service: str | None = None,
    config: DiagnosisConfig | None = None,
) -> Snapshot:
    """Read and diagnose `window` (for `service` and what it calls, when given)."""
    telemetry = read_telemetry(store, window)
    diagnosis = diagnose_telemetry(telemetry, config or DiagnosisConfig(), service=service)
    services: Sequence[str] = affected_services(diagnosis, telemetry)
    onset = diagnosis.onset_ns if diagnosis.onset_ns is not None else window.start_ns
    after = Window(start_ns=onset, end_ns=window.end_ns)
    scope, impact = scope_and_impact(
        services,
        endpoint_shifts(store, window, onset, services),
        error_reach(store, after, services),
    )
    has_before = window.start_ns < onset < window.end_ns
    signals = incident_signals(
        fingerprints=risen_fingerprints(store, window, onset) if has_before else (),
        templates=risen_templates(store, window, onset) if has_before else (),
        hypotheses=diagnosis.hypotheses,
        services=services,
    )
    return Snapshot(
        window=window,
        diagnosis=diagnosis,
        scope=scope,
        impact=impact,
        timeline=tuple(data_timeline(diagnosis, telemetry)),
        signals=signals,
    )
