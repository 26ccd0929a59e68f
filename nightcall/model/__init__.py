"""The records every layer shares."""

from nightcall.model.batch import DecodedRequest, EncodedBatch, Signal
from nightcall.model.change import ChangeEvent, ChangeKind
from nightcall.model.counters import ItemCounters
from nightcall.model.finding import Direction, Evidence, Finding, FindingKind
from nightcall.model.hypothesis import EvidenceItem, Hypothesis, HypothesisKind
from nightcall.model.incident import (
    EvidenceKind,
    HypothesisSource,
    HypothesisStatus,
    Incident,
    LoggedHypothesis,
    Note,
    Phase,
    PhaseChange,
    Scope,
    Severity,
    StatusChange,
)
from nightcall.model.incident_event import IncidentEvent, IncidentEventKind
from nightcall.model.series import Series, SeriesKey, SeriesKind
from nightcall.model.timeline import TimelineEntry, TimelineKind, TimelineSource
from nightcall.model.timespec import format_time_ns, parse_time_ns

__all__ = [
    "ChangeEvent",
    "ChangeKind",
    "DecodedRequest",
    "Direction",
    "EncodedBatch",
    "Evidence",
    "EvidenceItem",
    "EvidenceKind",
    "Finding",
    "FindingKind",
    "Hypothesis",
    "HypothesisKind",
    "HypothesisSource",
    "HypothesisStatus",
    "Incident",
    "IncidentEvent",
    "IncidentEventKind",
    "ItemCounters",
    "LoggedHypothesis",
    "Note",
    "Phase",
    "PhaseChange",
    "Scope",
    "Series",
    "SeriesKey",
    "SeriesKind",
    "Severity",
    "Signal",
    "StatusChange",
    "TimelineEntry",
    "TimelineKind",
    "TimelineSource",
    "format_time_ns",
    "parse_time_ns",
]
