"""Incidents as the API shows them: flat JSON records with RFC 3339 times beside nanoseconds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nightcall.incidents import NEXT_PHASES, Match
from nightcall.incidents.memory import match_json
from nightcall.incidents.protocol import PHASE_GOALS
from nightcall.incidents.timeline import entry_to_json
from nightcall.model import Incident, LoggedHypothesis, TimelineEntry, format_time_ns


def _time(ns: int | None) -> str | None:
    return None if ns is None else format_time_ns(ns)


def incident_summary_json(incident: Incident) -> dict[str, Any]:
    """One incident in a list: who, what, how bad, where in the protocol."""
    confirmed = incident.confirmed
    return {
        "id": incident.id,
        "title": incident.title,
        "severity": incident.severity.value,
        "phase": incident.phase.value,
        "commander": incident.commander or None,
        "opened": _time(incident.opened_ns),
        "opened_unix_nano": incident.opened_ns,
        "opened_by": incident.opened_by,
        "closed": _time(incident.closed_ns),
        "closed_unix_nano": incident.closed_ns,
        "updated_unix_nano": incident.updated_ns,
        "services": list(incident.scope.services),
        "hypothesis_count": len(incident.hypotheses),
        "root_cause": confirmed[0].statement if confirmed else None,
        "source": dict(incident.source),
    }


def logged_hypothesis_json(hypothesis: LoggedHypothesis) -> dict[str, Any]:
    """One entry of the hypothesis log."""
    return {
        "id": hypothesis.id,
        "status": hypothesis.status.value,
        "statement": hypothesis.statement,
        "kind": hypothesis.kind or None,
        "service": hypothesis.service or None,
        "source": hypothesis.source.value,
        "origin": dict(hypothesis.origin) or None,
        "confidence": hypothesis.confidence,
        "evidence": [dict(item) for item in hypothesis.evidence],
        "note": hypothesis.note or None,
        "proposed": _time(hypothesis.proposed_ns),
        "proposed_unix_nano": hypothesis.proposed_ns,
        "proposed_by": hypothesis.actor,
        "history": [
            {"status": c.status.value, "time": _time(c.time_ns), "time_unix_nano": c.time_ns,
             "actor": c.actor, "reason": c.reason or None}
            for c in hypothesis.history
        ],
        "steps": list(hypothesis.details.get("steps", ())),
        "stabilize": list(hypothesis.details.get("stabilize", ())),
        "diagnostics": list(hypothesis.details.get("diagnostics", ())),
        "details": dict(hypothesis.details),
    }  # fmt: skip


def incident_json(incident: Incident, similar: Sequence[Match] = ()) -> dict[str, Any]:
    """The full incident: state, phases, scope, impact, the hypothesis log, notes, matches."""
    scope = incident.scope
    return {
        **incident_summary_json(incident),
        "phase_goal": PHASE_GOALS[incident.phase],
        "next_phases": [p.value for p in NEXT_PHASES[incident.phase]],
        "window": {
            "start": _time(incident.start_ns),
            "start_unix_nano": incident.start_ns,
            "end": _time(incident.end_ns),
            "end_unix_nano": incident.end_ns,
        },
        "onset": _time(incident.onset_ns),
        "onset_unix_nano": incident.onset_ns,
        "recovery": _time(incident.recovery_ns),
        "recovery_unix_nano": incident.recovery_ns,
        "phases": [
            {"phase": c.phase.value, "previous": c.previous.value if c.previous else None,
             "time": _time(c.time_ns), "time_unix_nano": c.time_ns, "actor": c.actor,
             "reason": c.reason or None}
            for c in incident.phases
        ],
        "scope": {
            "services": list(scope.services),
            "endpoints": list(scope.endpoints),
            "users": list(scope.users),
            "devices": list(scope.devices),
            "user_count": scope.user_count,
            "device_count": scope.device_count,
            "edited": list(scope.edited),
        },
        "impact": dict(incident.impact),
        "signals": {k: list(v) for k, v in incident.signals.items()},
        "hypotheses": [logged_hypothesis_json(h) for h in incident.hypotheses],
        "notes": [
            {"time": _time(n.time_ns), "time_unix_nano": n.time_ns, "actor": n.actor,
             "text": n.text}
            for n in incident.notes
        ],
        "postmortem_edited": sorted(incident.postmortem_edits),
        "similar": [match_json(m) for m in similar],
        "refreshed": _time(incident.refreshed_ns),
        "events": incident.event_count,
    }  # fmt: skip


def timeline_json(entries: Sequence[TimelineEntry]) -> list[dict[str, Any]]:
    """Timeline entries in order, each with its RFC 3339 time."""
    return [{"time": format_time_ns(e.time_ns), **entry_to_json(e)} for e in entries]
