"""`IncidentService`: opens and runs incidents, appending their events through the writer.

Every change is one or more `IncidentEvent`s, checked against the incident's current state
(the fold of its events), written to the write-ahead log (acknowledged once fsync'd, so it
survives a crash), and kept in memory: the process that owns the store owns its incidents, so
reads need not wait for the writer. On first use the events are read back from the store,
which the write-ahead log's replay has brought up to date.

Reading the data (a diagnosis of the window) is slow, so it runs outside the lock, and its
results are appended under it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nightcall.errors import BadRequest, NotFound
from nightcall.explain import DiagnosisConfig
from nightcall.incidents.events import event_from_row, events_batch
from nightcall.incidents.hypothesis_log import (
    engine_proposals,
    hypothesis_update,
    memory_proposals,
    person_proposal,
)
from nightcall.incidents.memory import Match, similar_incidents
from nightcall.incidents.postmortem import check_sections
from nightcall.incidents.protocol import check_transition
from nightcall.incidents.snapshot import Snapshot, take_snapshot
from nightcall.incidents.state import SCOPE_FIELDS, fold
from nightcall.incidents.timeline import build_timeline
from nightcall.model import (
    HypothesisStatus,
    Incident,
    IncidentEvent,
    IncidentEventKind,
    Phase,
    Severity,
    TimelineEntry,
)
from nightcall.store.pipeline import IngestPipeline
from nightcall.store.queries_incidents import incident_events
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

WRITE_TIMEOUT_S = 30.0
Change = tuple[IncidentEventKind, Mapping[str, Any]]


def normalize_id(text: str) -> str:
    """`INC-3` from `INC-3`, `inc-3` or `3`."""
    value = text.strip().upper()
    return value if value.startswith("INC-") else f"INC-{value}"


class IncidentService:
    """The incidents of one store."""

    def __init__(
        self,
        store: Store,
        pipeline: IngestPipeline,
        now_ns: Callable[[], int],
        config: DiagnosisConfig | None = None,
    ) -> None:
        self._store = store
        self._pipeline = pipeline
        self._now_ns = now_ns
        self._config = config
        self._lock = threading.RLock()
        self._events: dict[str, list[IncidentEvent]] | None = None
        self._folded: dict[str, Incident] = {}  # the fold of each incident's events, kept

    # Reading.

    def _loaded(self) -> dict[str, list[IncidentEvent]]:
        with self._lock:
            if self._events is None:
                events: dict[str, list[IncidentEvent]] = {}
                for row in incident_events(self._store):
                    event = event_from_row(row)
                    events.setdefault(event.incident_id, []).append(event)
                self._events = events
            return self._events

    def events(self, incident_id: str) -> list[IncidentEvent]:
        """The incident's events, oldest first (NotFound when there is no such incident)."""
        wanted = normalize_id(incident_id)
        with self._lock:
            found = self._loaded().get(wanted)
            if found is None:
                known = sorted(self._loaded(), key=_number)[-5:]
                raise NotFound(
                    f"there is no incident {wanted}",
                    location="incident",
                    hint=("latest: " + ", ".join(known)) if known else "open one first",
                )
            return list(found)

    def _state(self, events: list[IncidentEvent]) -> Incident:
        """The fold of `events`, from the cache while no event has been added since."""
        cached = self._folded.get(events[0].incident_id)
        if cached is None or cached.event_count != len(events):
            cached = self._folded[events[0].incident_id] = fold(events)
        return cached

    def get(self, incident_id: str) -> Incident:
        events = self.events(incident_id)
        with self._lock:
            return self._state(events)

    def list_incidents(self) -> list[Incident]:
        """Every incident, newest first."""
        with self._lock:
            everything = [self._state(events) for events in self._loaded().values()]
        return sorted(everything, key=lambda i: -_number(i.id))

    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        events = self.events(incident_id)
        return build_timeline(self.get(incident_id).data_timeline, events)

    def similar(self, incident_id: str) -> list[Match]:
        incident = self.get(incident_id)
        return similar_incidents(incident, self.list_incidents())

    # Writing.

    def _append(self, incident_id: str, actor: str, changes: Sequence[Change]) -> Incident:
        """Append `changes` as events (one write), and return the incident after them."""
        with self._lock:
            events = list(self._loaded().get(incident_id, ()))
            now = self._now_ns()
            new = [
                IncidentEvent(
                    incident_id=incident_id,
                    seq=len(events) + i,
                    time_ns=now,
                    kind=kind,
                    actor=actor,
                    payload=dict(payload),
                )
                for i, (kind, payload) in enumerate(changes, start=1)
            ]
            incident = fold([*events, *new])  # refuse what the record could not be read with
            self._pipeline.submit((events_batch(new),)).result(timeout=WRITE_TIMEOUT_S)
            self._loaded()[incident_id] = [*events, *new]
            self._folded[incident_id] = incident
            return incident

    def _next_id(self) -> str:
        return f"INC-{max((_number(i) for i in self._loaded()), default=0) + 1}"

    def open(
        self,
        *,
        title: str,
        actor: str,
        severity: Severity = Severity.P3,
        commander: str = "",
        start_ns: int | None = None,
        end_ns: int | None = None,
        service: str | None = None,
        source: Mapping[str, Any] | None = None,
        read_data: bool = True,
    ) -> Incident:
        """Open an incident about the data from `start_ns` (default: an hour ago) to `end_ns`
        (default: ongoing); read and diagnose it unless `read_data` is False."""
        if not title.strip():
            raise BadRequest(
                "an incident needs a title",
                location="title",
                hint="say what is wrong, e.g. 'checkout p95 over 2 s'",
            )
        now = self._now_ns()
        start = start_ns if start_ns is not None else now - 3600 * 10**9
        if end_ns is not None and end_ns <= start:
            raise BadRequest(
                f"the incident's end ({end_ns}) is not after its start ({start})",
                location="end",
                hint="give an end after the start",
            )
        snapshot = self._read(Window(start_ns=start, end_ns=end_ns or now), service, read_data)
        with self._lock:
            incident_id = self._next_id()
            opened = {
                "title": title.strip(),
                "severity": severity.value,
                "commander": commander,
                "start_ns": start,
                "end_ns": end_ns,
                "service": service,
                "source": dict(source or {"kind": "manual"}),
            }
            changes: list[Change] = [(IncidentEventKind.OPENED, opened)]
            changes += self._data_changes(None, snapshot)
            incident = self._append(incident_id, actor, changes)
            return self._remember(incident, actor)

    def _read(self, window: Window, service: str | None, read_data: bool) -> Snapshot | None:
        if not read_data:
            return None
        return take_snapshot(self._store, window, service=service, config=self._config)

    def _data_changes(self, incident: Incident | None, snapshot: Snapshot | None) -> list[Change]:
        """The scope, data and new engine hypotheses of one reading, as changes."""
        if snapshot is None:
            return []
        proposals = engine_proposals(incident, snapshot.diagnosis.hypotheses)
        return [
            (IncidentEventKind.SCOPE_COMPUTED, snapshot.scope_payload()),
            (IncidentEventKind.DATA_READ, snapshot.data_payload()),
            *((IncidentEventKind.HYPOTHESIS_PROPOSED, p) for p in proposals),
        ]

    def _remember(self, incident: Incident, actor: str) -> Incident:
        """Propose the confirmed causes of similar closed incidents not proposed yet."""
        matches = similar_incidents(incident, self.list_incidents())
        changes: list[Change] = [
            (IncidentEventKind.HYPOTHESIS_PROPOSED, p) for p in memory_proposals(incident, matches)
        ]
        return self._append(incident.id, actor, changes) if changes else incident

    def refresh(self, incident_id: str, *, actor: str) -> Incident:
        """Read the incident's window again (up to now while it is ongoing)."""
        incident = self.get(incident_id)
        end = incident.end_ns or self._now_ns()
        service = self.events(incident_id)[0].payload.get("service")
        snapshot = self._read(Window(start_ns=incident.start_ns, end_ns=end), service, True)
        with self._lock:
            incident = self.get(incident_id)
            incident = self._append(incident.id, actor, self._data_changes(incident, snapshot))
            return self._remember(incident, actor)

    def record_alert(self, incident_id: str, source: Mapping[str, Any], *, actor: str) -> Incident:
        """Note that an alert fired (again) for an incident already open."""
        with self._lock:
            incident = self.get(incident_id)
            return self._append(incident.id, actor, [(IncidentEventKind.ALERT_FIRED, source)])

    def change_phase(self, incident_id: str, phase: Phase, *, actor: str, reason: str) -> Incident:
        with self._lock:
            incident = self.get(incident_id)
            check_transition(incident.id, incident.phase, phase)
            payload = {"phase": phase.value, "previous": incident.phase.value, "reason": reason}
            return self._append(incident.id, actor, [(IncidentEventKind.PHASE_CHANGED, payload)])

    def close(self, incident_id: str, *, actor: str, reason: str) -> Incident:
        return self.change_phase(incident_id, Phase.CLOSED, actor=actor, reason=reason)

    def change_severity(
        self, incident_id: str, severity: Severity, *, actor: str, reason: str
    ) -> Incident:
        with self._lock:
            incident = self.get(incident_id)
            if severity == incident.severity:
                raise BadRequest(
                    f"{incident.id} is already {severity}",
                    location="severity",
                    hint="give another severity, P0 (worst) to P4",
                )
            payload = {
                "severity": severity.value,
                "previous": incident.severity.value,
                "reason": reason,
            }
            return self._append(incident.id, actor, [(IncidentEventKind.SEVERITY_CHANGED, payload)])

    def change_commander(self, incident_id: str, commander: str, *, actor: str) -> Incident:
        with self._lock:
            incident = self.get(incident_id)
            payload = {"commander": commander, "previous": incident.commander}
            return self._append(
                incident.id, actor, [(IncidentEventKind.COMMANDER_CHANGED, payload)]
            )

    def edit_scope(
        self, incident_id: str, fields: Mapping[str, Any], *, actor: str, reason: str = ""
    ) -> Incident:
        """Set scope fields by hand; a refresh no longer recomputes them."""
        unknown = sorted(set(fields) - set(SCOPE_FIELDS))
        if unknown or not fields:
            raise BadRequest(
                f"cannot set scope fields {unknown}" if unknown else "no scope field given",
                location="scope",
                hint="fields: " + ", ".join(SCOPE_FIELDS),
            )
        with self._lock:
            incident = self.get(incident_id)
            payload = {**fields, "reason": reason}
            return self._append(incident.id, actor, [(IncidentEventKind.SCOPE_EDITED, payload)])

    def add_note(self, incident_id: str, text: str, *, actor: str) -> Incident:
        if not text.strip():
            raise BadRequest("a note needs text", location="text", hint="say what you saw or did")
        with self._lock:
            incident = self.get(incident_id)
            return self._append(
                incident.id, actor, [(IncidentEventKind.NOTE_ADDED, {"text": text.strip()})]
            )

    def add_hypothesis(
        self,
        incident_id: str,
        statement: str,
        *,
        actor: str,
        kind: str = "",
        service: str = "",
        evidence: Sequence[Mapping[str, Any]] = (),
        note: str = "",
    ) -> Incident:
        """Log a person's hypothesis as the next H-number."""
        with self._lock:
            incident = self.get(incident_id)
            payload = person_proposal(
                incident, statement, kind=kind, service=service, evidence=evidence, note=note
            )
            return self._append(
                incident.id, actor, [(IncidentEventKind.HYPOTHESIS_PROPOSED, payload)]
            )

    def update_hypothesis(
        self,
        incident_id: str,
        hypothesis_id: str,
        *,
        actor: str,
        status: HypothesisStatus | None = None,
        note: str | None = None,
        evidence: Sequence[Mapping[str, Any]] = (),
        reason: str = "",
    ) -> Incident:
        """Change a hypothesis' status, note or evidence (evidence is appended)."""
        with self._lock:
            incident = self.get(incident_id)
            payload = hypothesis_update(
                incident, hypothesis_id, status=status, note=note, evidence=evidence, reason=reason
            )
            return self._append(
                incident.id, actor, [(IncidentEventKind.HYPOTHESIS_UPDATED, payload)]
            )

    def edit_postmortem(
        self, incident_id: str, sections: Mapping[str, str], *, actor: str
    ) -> Incident:
        """Keep people's text for post-mortem sections ("" gives one back to the data)."""
        check_sections(sections)
        with self._lock:
            incident = self.get(incident_id)
            changes: list[Change] = [
                (IncidentEventKind.POSTMORTEM_EDITED, {"section": name, "text": text})
                for name, text in sections.items()
                if incident.postmortem_edits.get(name, "") != text
            ]
            return self._append(incident.id, actor, changes) if changes else incident


def _number(incident_id: str) -> int:
    digits = incident_id.removeprefix("INC-")
    return int(digits) if digits.isdigit() else 0
