"""An incident's current state: the pure fold of its events, oldest first.

    incident = fold(events)

Each event kind has one reducer; a reducer never reads the clock or the store, so replaying
the same events gives the same incident, after a restart or on another machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from nightcall.incidents.timeline import entry_from_json
from nightcall.model import (
    HypothesisSource,
    HypothesisStatus,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    LoggedHypothesis,
    Note,
    Phase,
    PhaseChange,
    Severity,
    StatusChange,
)

SCOPE_FIELDS = ("services", "endpoints", "users", "devices", "user_count", "device_count")
Reducer = Callable[[Incident, IncidentEvent], Incident]


def _opened(event: IncidentEvent) -> Incident:
    p = event.payload
    return Incident(
        id=event.incident_id,
        title=str(p["title"]),
        severity=Severity(p["severity"]),
        phase=Phase.DETECT,
        commander=str(p.get("commander", "")),
        opened_ns=event.time_ns,
        opened_by=event.actor,
        start_ns=int(p["start_ns"]),
        end_ns=None if p.get("end_ns") is None else int(p["end_ns"]),
        source=dict(p.get("source", {})),
        updated_ns=event.time_ns,
        phases=(
            PhaseChange(
                phase=Phase.DETECT,
                previous=None,
                time_ns=event.time_ns,
                actor=event.actor,
                reason=str(p.get("reason", "")),
            ),
        ),
    )


def _phase(incident: Incident, event: IncidentEvent) -> Incident:
    phase = Phase(event.payload["phase"])
    change = PhaseChange(
        phase=phase,
        previous=incident.phase,
        time_ns=event.time_ns,
        actor=event.actor,
        reason=str(event.payload.get("reason", "")),
    )
    return replace(
        incident,
        phase=phase,
        phases=(*incident.phases, change),
        closed_ns=event.time_ns if phase == Phase.CLOSED else None,
    )


def _severity(incident: Incident, event: IncidentEvent) -> Incident:
    return replace(incident, severity=Severity(event.payload["severity"]))


def _commander(incident: Incident, event: IncidentEvent) -> Incident:
    return replace(incident, commander=str(event.payload["commander"]))


def _scope_values(payload: Mapping[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        if name not in payload:
            continue
        value = payload[name]
        if name.endswith("_count"):
            values[name] = None if value is None else int(value)
        else:
            values[name] = tuple(str(v) for v in value)
    return values


def _scope_computed(incident: Incident, event: IncidentEvent) -> Incident:
    kept = [f for f in SCOPE_FIELDS if f not in incident.scope.edited]
    return replace(incident, scope=replace(incident.scope, **_scope_values(event.payload, kept)))


def _scope_edited(incident: Incident, event: IncidentEvent) -> Incident:
    values = _scope_values(event.payload, SCOPE_FIELDS)
    edited = tuple(sorted({*incident.scope.edited, *values}))
    return replace(incident, scope=replace(incident.scope, **values, edited=edited))


def _data_read(incident: Incident, event: IncidentEvent) -> Incident:
    p = event.payload
    return replace(
        incident,
        onset_ns=p.get("onset_ns"),
        recovery_ns=p.get("recovery_ns"),
        impact=dict(p.get("impact", {})),
        signals={str(k): tuple(str(x) for x in v) for k, v in p.get("signals", {}).items()},
        data_timeline=tuple(entry_from_json(e) for e in p.get("timeline", ())),
        refreshed_ns=event.time_ns,
    )


def _proposed(incident: Incident, event: IncidentEvent) -> Incident:
    p = event.payload
    hypothesis = LoggedHypothesis(
        id=str(p["id"]),
        statement=str(p["statement"]),
        kind=str(p.get("kind", "")),
        service=str(p.get("service", "")),
        status=HypothesisStatus.PROPOSED,
        source=HypothesisSource(p.get("source", HypothesisSource.PERSON.value)),
        proposed_ns=event.time_ns,
        actor=event.actor,
        confidence=p.get("confidence"),
        evidence=tuple(p.get("evidence", ())),
        note=str(p.get("note", "")),
        history=(
            StatusChange(
                status=HypothesisStatus.PROPOSED, time_ns=event.time_ns, actor=event.actor
            ),
        ),
        details=dict(p.get("details", {})),
        origin=dict(p.get("origin", {})),
    )
    return replace(incident, hypotheses=(*incident.hypotheses, hypothesis))


def _updated(incident: Incident, event: IncidentEvent) -> Incident:
    p = event.payload
    hypotheses = list(incident.hypotheses)
    index = next(i for i, h in enumerate(hypotheses) if h.id == p["id"])
    current = hypotheses[index]
    changes: dict[str, Any] = {}
    if "status" in p:
        status = HypothesisStatus(p["status"])
        changes["status"] = status
        changes["history"] = (
            *current.history,
            StatusChange(
                status=status,
                time_ns=event.time_ns,
                actor=event.actor,
                reason=str(p.get("reason", "")),
            ),
        )
    if "note" in p:
        changes["note"] = str(p["note"])
    if p.get("evidence"):
        changes["evidence"] = (*current.evidence, *p["evidence"])
    hypotheses[index] = replace(current, **changes)
    return replace(incident, hypotheses=tuple(hypotheses))


def _note(incident: Incident, event: IncidentEvent) -> Incident:
    note = Note(time_ns=event.time_ns, actor=event.actor, text=str(event.payload["text"]))
    return replace(incident, notes=(*incident.notes, note))


def _postmortem(incident: Incident, event: IncidentEvent) -> Incident:
    edits = dict(incident.postmortem_edits)
    section, text = str(event.payload["section"]), str(event.payload["text"])
    if text.strip():
        edits[section] = text
    else:
        edits.pop(section, None)  # an empty edit gives the section back to the data
    return replace(incident, postmortem_edits=edits)


def _unchanged(incident: Incident, _: IncidentEvent) -> Incident:
    return incident


REDUCERS: dict[IncidentEventKind, Reducer] = {
    IncidentEventKind.ALERT_FIRED: _unchanged,  # only the timeline shows it
    IncidentEventKind.PHASE_CHANGED: _phase,
    IncidentEventKind.SEVERITY_CHANGED: _severity,
    IncidentEventKind.COMMANDER_CHANGED: _commander,
    IncidentEventKind.SCOPE_COMPUTED: _scope_computed,
    IncidentEventKind.SCOPE_EDITED: _scope_edited,
    IncidentEventKind.DATA_READ: _data_read,
    IncidentEventKind.HYPOTHESIS_PROPOSED: _proposed,
    IncidentEventKind.HYPOTHESIS_UPDATED: _updated,
    IncidentEventKind.NOTE_ADDED: _note,
    IncidentEventKind.POSTMORTEM_EDITED: _postmortem,
}


def fold(events: Sequence[IncidentEvent]) -> Incident:
    """The incident `events` describe; they must start with `opened` and run in `seq` order."""
    if not events or events[0].kind != IncidentEventKind.OPENED or events[0].seq != 1:
        raise ValueError("an incident's events begin with its `opened` event, number 1")
    incident = _opened(events[0])
    for expected, event in enumerate(events[1:], start=2):
        if event.seq != expected or event.kind == IncidentEventKind.OPENED:
            raise ValueError(
                f"{event.incident_id}: event {event.seq} ({event.kind}) where event {expected}"
                " was expected: the record has a gap or a second `opened`"
            )
        incident = REDUCERS[event.kind](incident, event)
    last = events[-1]
    return replace(incident, updated_ns=last.time_ns, event_count=len(events))
