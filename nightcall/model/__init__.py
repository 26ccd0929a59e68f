"""The records every layer shares."""

from nightcall.model.batch import DecodedRequest, EncodedBatch, Signal
from nightcall.model.counters import ItemCounters
from nightcall.model.timespec import format_time_ns, parse_time_ns

__all__ = [
    "DecodedRequest",
    "EncodedBatch",
    "ItemCounters",
    "Signal",
    "format_time_ns",
    "parse_time_ns",
]
