"""The incident's record: an append-only list of events, each a change with who, when and why."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class IncidentEventKind(StrEnum):
    """What one event changed; its payload's keys are listed beside each."""

    OPENED = "opened"  # title, severity, commander, start_ns, end_ns, source
    ALERT_FIRED = "alert_fired"  # the alert source again: an alert of the same group re-fired
    PHASE_CHANGED = "phase_changed"  # phase, previous, reason
    SEVERITY_CHANGED = "severity_changed"  # severity, previous, reason
    COMMANDER_CHANGED = "commander_changed"  # commander, previous
    SCOPE_COMPUTED = "scope_computed"  # services, endpoints, users, devices, counts
    SCOPE_EDITED = "scope_edited"  # the fields set by a person, reason
    DATA_READ = "data_read"  # window, onset_ns, recovery_ns, impact, signals, timeline
    HYPOTHESIS_PROPOSED = "hypothesis_proposed"  # id, statement, kind, service, source, ...
    HYPOTHESIS_UPDATED = "hypothesis_updated"  # id, status?, note?, evidence?, reason
    NOTE_ADDED = "note_added"  # text
    POSTMORTEM_EDITED = "postmortem_edited"  # section, text ("" gives it back to the data)


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentEvent:
    """One change to one incident; `seq` orders an incident's events from 1."""

    incident_id: str
    seq: int
    time_ns: int
    kind: IncidentEventKind
    actor: str
    payload: Mapping[str, Any] = field(default_factory=dict)
