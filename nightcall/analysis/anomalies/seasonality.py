"""Time-of-day and day-of-week patterns: "18:00-20:00 at 30% vs 90% otherwise".

Points are grouped by local hour of day (and, with two weeks of history, by day of week); a
run of adjacent hours whose median stands `time_of_day_z` within-hour noise deviations away
from the other hours, and by the minimum effect, is a pattern. With several days of history,
each day is checked on its own: a pattern seen on most days is marked recurring (a daily
batch, evening congestion that is normal here) and does not page by itself. With only hours
of history the finding says so, and reports the contrast of those hours with the rest.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.analysis.anomalies.findings import build_finding, level_evidence
from nightcall.analysis.anomalies.series_ops import (
    FloatArray,
    Grid,
    format_value,
    median,
    min_effect,
    noise_sigma,
    regularize,
    robust_sigma,
    runs,
)
from nightcall.model import Evidence, Finding, FindingKind, Series
from nightcall.store.queries_traces import Window

DETECTOR = "time_of_day"
HOUR_S = 3600
DAY_S = 86_400
WEEK_S = 7 * DAY_S
MIN_POINTS_PER_BUCKET = 3
RECURRING_SHARE = 0.6  # a pattern is daily when it shows on this share of the days observed
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class _Cycle:
    name: str  # "hour of day" or "day of week"
    buckets: int  # 24 or 7
    bucket_s: int  # 3600 or 86400
    occurrence_s: int  # a day or a week: one showing of the pattern
    label: Callable[[int], str]


HOURS = _Cycle("hour of day", 24, HOUR_S, DAY_S, lambda h: f"{h % 24:02d}:00")
DAYS = _Cycle("day of week", 7, DAY_S, WEEK_S, lambda d: WEEKDAYS[d % 7])


def detect_time_of_day(series: Series, window: Window, config: AnomalyConfig) -> list[Finding]:
    """Findings for hour-of-day (and day-of-week) ranges that differ from the rest."""
    grid = regularize(series)
    if grid is None or grid.step_ns > HOUR_S * 10**9:
        return []
    first, last = grid.window_span(window)
    values = grid.values[:last]
    if last <= first or np.isfinite(values).sum() < config.min_points:
        return []
    local_s = grid.times_ns[:last] // 10**9 + config.utc_offset_s
    span_s = (last - 1) * grid.step_ns / 1e9
    findings = _patterns(series, grid, window, values, local_s, HOURS, span_s, config)
    if span_s >= 2 * WEEK_S:
        findings += _patterns(series, grid, window, values, local_s, DAYS, span_s, config)
    return findings


def _patterns(
    series: Series,
    grid: Grid,
    window: Window,
    values: FloatArray,
    local_s: IntArray,
    cycle: _Cycle,
    span_s: float,
    config: AnomalyConfig,
) -> list[Finding]:
    # Day 0 of the Unix epoch was a Thursday: shift by 3 so that 0 is Monday.
    shift = 3 * DAY_S if cycle is DAYS else 0
    bucket = ((local_s + shift) % cycle.occurrence_s) // cycle.bucket_s
    occurrence = (local_s + shift) // cycle.occurrence_s
    finite = np.isfinite(values)
    medians = np.full(cycle.buckets, np.nan)
    for b in range(cycle.buckets):
        chosen = values[finite & (bucket == b)]
        if len(chosen) >= MIN_POINTS_PER_BUCKET:
            medians[b] = float(np.median(chosen))
    present = np.isfinite(medians)
    if present.sum() < 4:
        return []
    level = float(np.median(medians[present]))
    residual = values - np.where(present, medians, np.nan)[bucket]
    scale = max(robust_sigma(residual), noise_sigma(values))
    if not (math.isfinite(scale) and scale > 0):
        return []
    needed = max(config.time_of_day_z * scale, min_effect(series, values, level, config))
    offset = np.where(present, medians - level, 0.0)
    findings = []
    for sign in (1.0, -1.0):
        flagged = present & (sign * offset >= needed)
        for start, end in _circular_runs(flagged, cycle.buckets):
            hours = np.arange(start, end) % cycle.buckets
            if flagged.sum() > cycle.buckets // 2 or (present & ~flagged).sum() < 2:
                continue  # a pattern is the exception to the rest, not most of the cycle
            if span_s < cycle.occurrence_s and not _bounded(bucket, finite, hours):
                continue  # with under one cycle of history, a window must end: else a step
            finding = _finding(
                series, grid, window, values, bucket, occurrence, hours, cycle, scale, config
            )
            if finding is not None:
                findings.append(finding)
    return findings


def _circular_runs(flagged: NDArray[np.bool_], size: int) -> list[tuple[int, int]]:
    """Runs of flagged buckets, joining a run at the end of the cycle with one at its start."""
    spans = runs(flagged)
    if len(spans) > 1 and spans[0][0] == 0 and spans[-1][1] == size:
        head = spans.pop(0)
        spans[-1] = (spans[-1][0], size + head[1])
    return spans


def _bounded(bucket: IntArray, finite: NDArray[np.bool_], hours: IntArray) -> bool:
    """Whether points outside the range come both before and after it in time."""
    inside = np.isin(bucket, hours) & finite
    positions = np.flatnonzero(inside)
    outside = np.flatnonzero(finite & ~inside)
    if len(positions) == 0 or len(outside) == 0:
        return False
    return bool(outside[0] < positions[0] and outside[-1] > positions[-1])


def _finding(
    series: Series,
    grid: Grid,
    window: Window,
    values: FloatArray,
    bucket: IntArray,
    occurrence: IntArray,
    hours: IntArray,
    cycle: _Cycle,
    scale: float,
    config: AnomalyConfig,
) -> Finding | None:
    finite = np.isfinite(values)
    inside = np.isin(bucket, hours)
    observed, baseline = median(values[inside]), median(values[finite & ~inside])
    contrast = observed - baseline
    if abs(contrast) < max(
        config.time_of_day_z * scale, min_effect(series, values, baseline, config)
    ):
        return None
    shown: list[tuple[int, int]] = []
    observed_occurrences = 0
    for number in np.unique(occurrence[inside & finite]):
        members = np.flatnonzero(inside & finite & (occurrence == number))
        if len(members) < MIN_POINTS_PER_BUCKET:
            continue
        observed_occurrences += 1
        if np.sign(contrast) * (median(values[members]) - baseline) >= abs(contrast) / 2:
            shown.append((int(members[0]), int(members[-1]) + 1))
    if not shown or not any(
        grid.time_at(s) < window.end_ns and grid.time_at(e) > window.start_ns for s, e in shown
    ):
        return None
    is_recurring = len(shown) >= 2 and len(shown) >= RECURRING_SHARE * observed_occurrences
    first_bucket, last_bucket = int(hours[0]), int(hours[-1]) + 1
    label = f"{cycle.label(first_bucket)}-{cycle.label(last_bucket)}"
    if cycle is DAYS:
        label = f"{cycle.label(first_bucket)}-{cycle.label(last_bucket - 1)}"
    unit_name = "days" if cycle is HOURS else "weeks"
    history_h = len(values) * grid.step_ns / 1e9 / HOUR_S
    if is_recurring:
        how = f"seen on {len(shown)} of {observed_occurrences} {unit_name}"
    elif observed_occurrences <= 1:
        how = (
            f"only {history_h:.1f}h of history covers these hours: whether this recurs is not"
            f" known yet; contrast of this window with the rest"
        )
    else:
        how = f"seen on {len(shown)} of {observed_occurrences} {unit_name}: not a regular pattern"
    summary = (
        f"{series.key} {label} ({cycle.name}, UTC{config.utc_offset_s / 3600:+g}h) at"
        f" {format_value(observed, series.unit)} vs {format_value(baseline, series.unit)}"
        f" otherwise ({how})"
    )
    evidence = [
        *level_evidence(series, baseline, observed, scale),
        Evidence(name="pattern", value=cycle.name),
        Evidence(name="from_bucket", value=first_bucket % cycle.buckets),
        Evidence(name="to_bucket", value=last_bucket % cycle.buckets),
        Evidence(name="bucket_s", value=cycle.bucket_s, unit="s"),
        Evidence(name="utc_offset_s", value=config.utc_offset_s, unit="s"),
        Evidence(name=f"{unit_name}_observed", value=observed_occurrences),
        Evidence(name=f"{unit_name}_recurring", value=len(shown)),
        Evidence(name="history_h", value=round(history_h, 2), unit="h"),
    ]
    for start, end in shown[-7:]:
        evidence.append(
            Evidence(
                name="occurrence",
                value=round(median(values[start:end]), 6),
                unit=series.unit,
                start_ns=grid.time_at(start),
                end_ns=grid.time_at(end),
            )
        )
    return build_finding(
        series,
        grid,
        kind=FindingKind.TIME_OF_DAY,
        detector=DETECTOR,
        span=shown[-1],
        score=abs(contrast) / (config.time_of_day_z * scale),
        summary=summary,
        baseline=baseline,
        observed=observed,
        evidence=evidence,
        is_recurring=is_recurring,
    )
