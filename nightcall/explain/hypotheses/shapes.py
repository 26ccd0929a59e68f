"""Shifts and findings as evidence a person reads: numbers in their unit, with the window."""

from __future__ import annotations

from nightcall.analysis.rca import SeriesShift
from nightcall.model import EvidenceItem, format_time_ns


def short_time(time_ns: int) -> str:
    """A moment as people read it in a sentence: `2026-11-01 02:30:00 UTC` (the evidence
    keeps the exact nanoseconds)."""
    return format_time_ns(time_ns)[:19].replace("T", " ") + " UTC"


def format_level(value: float, unit: str) -> str:
    """A value with its unit, as a person would write it: 0.42 -> 42% for ratios."""
    if unit in {"1", ""} and 0.0 <= abs(value) <= 1.5:
        return f"{value * 100:.1f}%"
    if unit == "ms":
        return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"
    if unit == "s":
        return f"{value * 1000:.0f} ms"
    if unit == "By":
        return f"{value / 2**20:.0f} MiB"
    if unit == "1/s":
        return f"{value:.2f}/s"
    return f"{value:.3g} {unit}".strip()


def describe_shift(shift: SeriesShift) -> EvidenceItem:
    """`name{labels} rose from A to B from T (z=Z)` with its query and window."""
    verb = "rose" if shift.z > 0 else "fell"
    detail = (
        f"{shift.key} {verb} from {format_level(shift.before, shift.unit)} to"
        f" {format_level(shift.after, shift.unit)} from {short_time(shift.onset_ns)}"
        f" ({abs(shift.z):.1f} robust deviations)"
    )
    return EvidenceItem(
        label=str(shift.key),
        value=round(shift.after, 6),
        unit=shift.unit,
        detail=detail,
        query=shift.query.replace("{service}", shift.service),
        start_ns=shift.onset_ns,
    )
