"""Change points: the moments a series' level shifted and stayed, with their onset time.

PELT (Killick et al., 2012; via ruptures' C implementation with the L2 cost) finds the exact
optimal segmentation for a penalty, which is set from the series' robust noise level so that
the same setting works for a latency in ms and a ratio. Bayesian online change-point detection
is the alternative (`changepoint_method = "bocpd"`); `bench/eval_anomalies.py` measures both.
A change point is reported only when the level really moved: the medians of the segments on
either side differ by `changepoint_min_shift` noise deviations and by the minimum effect, and
the jump is there at the boundary itself (a ramp cut into stairs has no jump at its cuts).
"""

from __future__ import annotations

import math

import numpy as np
import ruptures

from nightcall.analysis.anomalies.bocpd import bocpd_breakpoints
from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.analysis.anomalies.findings import build_finding, level_evidence
from nightcall.analysis.anomalies.series_ops import (
    FloatArray,
    fill_gaps,
    format_value,
    median,
    min_effect,
    noise_sigma,
    regularize,
)
from nightcall.model import Evidence, Finding, FindingKind, Series
from nightcall.model.timespec import format_time_ns
from nightcall.store.queries_traces import Window

DETECTOR = "changepoint"
MAX_POINTS = 4000  # PELT is near-linear, but a bound keeps one odd series from costing seconds


def pelt_breakpoints(z: FloatArray, penalty: float, min_size: int) -> list[int]:
    """Segment starts found by PELT on `z` (a series in units of its noise)."""
    if len(z) < 2 * min_size:
        return []
    detector = ruptures.KernelCPD(kernel="linear", min_size=min_size, jump=1)
    ends = detector.fit(z.reshape(-1, 1)).predict(pen=penalty * math.log(len(z)))
    return [int(b) for b in ends[:-1]]


def detect_change_points(series: Series, window: Window, config: AnomalyConfig) -> list[Finding]:
    """Findings for each lasting shift of level whose onset lies in `window`."""
    grid = regularize(series)
    if grid is None:
        return []
    first, last = grid.window_span(window)
    low = max(0, first - max(last - first, config.baseline_points), last - MAX_POINTS)
    raw = grid.values[low:last]
    if last <= first or np.isfinite(raw).sum() < config.min_points:
        return []
    values = fill_gaps(raw)
    sigma = noise_sigma(values)
    if not math.isfinite(sigma) or sigma <= 0:
        return []
    z = (values - float(np.median(values))) / sigma
    min_size = max(2, config.changepoint_min_size)
    if config.changepoint_method == "bocpd":
        starts = bocpd_breakpoints(z, min_size)
    else:
        starts = pelt_breakpoints(z, config.changepoint_penalty, min_size)
    bounds = [0, *starts, len(values)]
    findings = []
    for j in range(1, len(bounds) - 1):
        before, at, after = bounds[j - 1], bounds[j], bounds[j + 1]
        if not first <= low + at < last:
            continue
        baseline, observed = median(raw[before:at]), median(raw[at:after])
        shift = observed - baseline
        jump = _boundary_jump(values, before, at, after)
        needed = max(
            config.changepoint_min_shift * sigma, min_effect(series, raw, baseline, config)
        )
        if not (abs(shift) >= needed and abs(jump) >= needed and shift * jump > 0):
            continue
        summary = (
            f"{series.key} shifted from {format_value(baseline, series.unit)} to"
            f" {format_value(observed, series.unit)} at {format_time_ns(grid.time_at(low + at))}"
            f" ({abs(shift) / sigma:.1f} noise SDs, {config.changepoint_method})"
        )
        evidence = [
            *level_evidence(series, baseline, observed, sigma),
            Evidence(name="method", value=config.changepoint_method),
            Evidence(
                name="segment",
                value=round(baseline, 6),
                unit=series.unit,
                start_ns=grid.time_at(low + before),
                end_ns=grid.time_at(low + at),
            ),
            Evidence(
                name="segment",
                value=round(observed, 6),
                unit=series.unit,
                start_ns=grid.time_at(low + at),
                end_ns=grid.time_at(low + after),
            ),
        ]
        findings.append(
            build_finding(
                series,
                grid,
                kind=FindingKind.CHANGE_POINT,
                detector=DETECTOR,
                span=(low + at, low + after),
                score=abs(shift) / (config.changepoint_min_shift * sigma),
                summary=summary,
                baseline=baseline,
                observed=observed,
                evidence=evidence,
            )
        )
    return findings


def _boundary_jump(values: FloatArray, before: int, at: int, after: int) -> float:
    """The gap at the boundary between straight lines fitted to the two segments."""
    boundary = at - 0.5
    return _line_at(values, at, after, boundary) - _line_at(values, before, at, boundary)


def _line_at(values: FloatArray, start: int, end: int, position: float) -> float:
    x = np.arange(start, end, dtype=np.float64)
    y = values[start:end]
    if len(x) < 3:
        return float(np.median(y)) if len(y) else math.nan
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2))
    return float(y.mean() + slope * (position - x.mean()))
