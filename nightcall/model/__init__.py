"""The records every layer shares."""

from nightcall.model.batch import DecodedRequest, EncodedBatch, Signal
from nightcall.model.counters import ItemCounters
from nightcall.model.finding import Direction, Evidence, Finding, FindingKind
from nightcall.model.series import Series, SeriesKey, SeriesKind
from nightcall.model.timespec import format_time_ns, parse_time_ns

__all__ = [
    "DecodedRequest",
    "Direction",
    "EncodedBatch",
    "Evidence",
    "Finding",
    "FindingKind",
    "ItemCounters",
    "Series",
    "SeriesKey",
    "SeriesKind",
    "Signal",
    "format_time_ns",
    "parse_time_ns",
]
