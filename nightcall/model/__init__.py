"""The records every layer shares."""

from nightcall.model.batch import DecodedRequest, EncodedBatch, Signal
from nightcall.model.change import ChangeEvent, ChangeKind
from nightcall.model.counters import ItemCounters
from nightcall.model.finding import Direction, Evidence, Finding, FindingKind
from nightcall.model.hypothesis import EvidenceItem, Hypothesis, HypothesisKind
from nightcall.model.series import Series, SeriesKey, SeriesKind
from nightcall.model.timespec import format_time_ns, parse_time_ns

__all__ = [
    "ChangeEvent",
    "ChangeKind",
    "DecodedRequest",
    "Direction",
    "EncodedBatch",
    "Evidence",
    "EvidenceItem",
    "Finding",
    "FindingKind",
    "Hypothesis",
    "HypothesisKind",
    "ItemCounters",
    "Series",
    "SeriesKey",
    "SeriesKind",
    "Signal",
    "format_time_ns",
    "parse_time_ns",
]
