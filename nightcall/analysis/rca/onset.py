"""When the incident began: the moments most anomalous series agree they started to move.

A fault shows in many series at once (its own resource, its latency, its callers'), so their
ANOMALY onsets pile up within a step or two of each other, while noise scatters. Each onset
votes with the log of its finding's score; the most voted moments (within a tolerance of two
steps, each cluster answered by its earliest onset) are the candidates, strongest first. The
ranking then keeps the one whose shifts explain the most. Recurring patterns vote only when
nothing else does: a periodic job's first burst is an onset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from nightcall.model import Finding, FindingKind, Series

TOLERANCE_STEPS = 2


def estimate_onsets(findings: Sequence[Finding], step_ns: int, *, count: int = 3) -> list[int]:
    """Up to `count` onsets (Unix ns) anomalous series agree on, the most agreed first."""
    voting = [f for f in findings if f.kind == FindingKind.ANOMALY and not f.is_recurring]
    if not voting:
        voting = [f for f in findings if f.is_recurring]
    tolerance = TOLERANCE_STEPS * step_ns
    weights: list[tuple[float, int]] = []
    for candidate in sorted({f.onset_ns for f in voting}):
        near = [f for f in voting if abs(f.onset_ns - candidate) <= tolerance]
        weights.append((sum(math.log1p(f.score) for f in near), candidate))
    weights.sort(key=lambda pair: (-pair[0], pair[1]))
    chosen: list[int] = []
    for _, candidate in weights:
        if any(abs(candidate - c) <= 2 * tolerance for c in chosen):
            continue
        cluster = [f.onset_ns for f in voting if abs(f.onset_ns - candidate) <= tolerance]
        chosen.append(min(cluster))
        if len(chosen) == count:
            break
    return chosen


def estimate_onset(findings: Sequence[Finding], step_ns: int) -> int | None:
    """The onset most anomalous series agree on, or None when there are no findings."""
    onsets = estimate_onsets(findings, step_ns, count=1)
    return onsets[0] if onsets else None


def count_burst_onset(series: Series, *, z: float = 5.0, window_points: int = 4) -> int | None:
    """When a sparse count series (errors per second) first bursts well above its usual rate.

    The anomaly detectors see 0, 0, 1, 0, 4, 5 as noise around a median of zero; counted as
    events, four steps holding 15 where the first third of the window held 0.2 per step are a
    burst (Poisson, `z` standard deviations). Returns the burst's first step, or None.
    """
    values = np.nan_to_num(np.asarray(series.values, dtype=np.float64), nan=0.0)
    if len(values) < 3 * window_points or len(series.times_ns) < 2:
        return None
    step_s = (series.times_ns[1] - series.times_ns[0]) / 1e9
    counts = values * step_s
    usual = float(np.mean(counts[: max(window_points, len(counts) // 3)]))
    expected = usual * window_points
    sums = np.convolve(counts, np.ones(window_points), mode="valid")
    above = np.flatnonzero((sums - expected) / np.sqrt(expected + 1.0) >= z)
    if not len(above):
        return None
    first = int(above[0])
    # The burst starts at the first step of that window that holds an event above the usual.
    inside = np.flatnonzero(counts[first : first + window_points] > usual)
    return series.times_ns[first + (int(inside[0]) if len(inside) else 0)]
