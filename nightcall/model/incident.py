"""An incident as the protocol runs it: phases, severity, scope, commander, hypothesis log.

An `Incident` is never stored as such: it is the fold of its `IncidentEvent`s (see
`nightcall.incidents.state`), so every change keeps who made it, when and why, and the
timeline and the post-mortem can be rebuilt from the same record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from nightcall.model.timeline import TimelineEntry


class Phase(StrEnum):
    """The protocol's phases, in their usual order."""

    DETECT = "detect"
    TRIAGE = "triage"
    STABILIZE = "stabilize"
    DIAGNOSE = "diagnose"
    FIX = "fix"
    POSTMORTEM = "postmortem"
    CLOSED = "closed"


class Severity(StrEnum):
    """P0 (everyone down, all hands) to P4 (cosmetic, next sprint)."""

    P0 = "P0"
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class HypothesisStatus(StrEnum):
    """Where a hypothesis of the log stands: measured yet, and with what result."""

    PROPOSED = "proposed"
    INVESTIGATING = "investigating"
    REJECTED = "rejected"
    CONFIRMED = "confirmed"


class HypothesisSource(StrEnum):
    """Who put a hypothesis in the log."""

    ENGINE = "engine"  # the diagnosis of the incident's window
    PERSON = "person"  # typed by someone
    MEMORY = "memory"  # a closed incident that shares this one's signals


class EvidenceKind(StrEnum):
    """What a piece of attached evidence is."""

    MEASUREMENT = "measurement"  # a number over a window, as the engine gives them
    QUERY = "query"  # an API path or SQL that redoes a check
    TRACE = "trace"  # a trace id
    ERROR_GROUP = "error_group"  # an error group's fingerprint
    LOG = "log"  # a log template or line
    DIAGNOSTIC = "diagnostic"  # the output of an allow-listed host command
    LINK = "link"  # anything else with a URL
    NOTE = "note"  # a person's observation


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """What the incident touches; computed from the data, each field editable by a person."""

    services: tuple[str, ...] = ()
    endpoints: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    user_count: int | None = None
    device_count: int | None = None
    edited: tuple[str, ...] = ()  # the fields a person set, which a refresh leaves alone


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseChange:
    """One step through the protocol: to which phase, from which, when, by whom and why."""

    phase: Phase
    previous: Phase | None
    time_ns: int
    actor: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    """One change of a hypothesis' status."""

    status: HypothesisStatus
    time_ns: int
    actor: str
    reason: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LoggedHypothesis:
    """One entry of the hypothesis log: H1, H2, ... with its status, evidence and note.

    `evidence` items are JSON objects with at least `kind` (an `EvidenceKind`) and `label`;
    `details` keeps what the engine said beyond the statement (steps, stabilize, diagnostics,
    symptom, impact, target, onset); `origin` says more about the source (the similar
    incident and its score, for a hypothesis from memory).
    """

    id: str
    statement: str
    kind: str
    service: str
    status: HypothesisStatus
    source: HypothesisSource
    proposed_ns: int
    actor: str
    confidence: float | None = None
    evidence: tuple[Mapping[str, Any], ...] = ()
    note: str = ""
    history: tuple[StatusChange, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)
    origin: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Note:
    """Something a person wrote down during the incident."""

    time_ns: int
    actor: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """The current state of one incident (the fold of its events).

    `start_ns`/`end_ns` bound the data it is about (`end_ns` None: still going, read up to
    now); `onset_ns`, `recovery_ns`, `impact`, `signals` and `data_timeline` are what the last
    reading of that data found.
    """

    id: str
    title: str
    severity: Severity
    phase: Phase
    commander: str
    opened_ns: int
    opened_by: str
    start_ns: int
    end_ns: int | None
    source: Mapping[str, Any]
    updated_ns: int
    closed_ns: int | None = None
    scope: Scope = field(default_factory=Scope)
    phases: tuple[PhaseChange, ...] = ()
    hypotheses: tuple[LoggedHypothesis, ...] = ()
    notes: tuple[Note, ...] = ()
    postmortem_edits: Mapping[str, str] = field(default_factory=dict)
    onset_ns: int | None = None
    recovery_ns: int | None = None
    impact: Mapping[str, Any] = field(default_factory=dict)
    signals: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    data_timeline: tuple[TimelineEntry, ...] = ()
    refreshed_ns: int | None = None
    event_count: int = 0

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED

    def hypothesis(self, hypothesis_id: str) -> LoggedHypothesis | None:
        """The log entry `hypothesis_id` (H1, h1 or 1), or None."""
        wanted = hypothesis_id.strip().upper()
        wanted = wanted if wanted.startswith("H") else f"H{wanted}"
        return next((h for h in self.hypotheses if h.id == wanted), None)

    @property
    def confirmed(self) -> tuple[LoggedHypothesis, ...]:
        return tuple(h for h in self.hypotheses if h.status == HypothesisStatus.CONFIRMED)
