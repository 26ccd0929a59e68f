"""Trends: a steady slope (a leak), its significance, and when it runs into a limit.

The slope is Theil-Sen's (the median of pairwise slopes, unmoved by outliers) and its
significance Mann-Kendall's (Kendall's tau of value against time). A step is not a trend: the
slope must hold on each half of its span as well, with the same sign and a similar size. The
span is the longest of the whole series, its last half or its last quarter that passes, so a
leak that began mid-series is dated to roughly when it began. Where the series has a capacity
(`Series.limit`, or 100% for ratios), the fitted line is projected to it: time-to-exhaustion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.analysis.anomalies.findings import build_finding, level_evidence
from nightcall.analysis.anomalies.series_ops import (
    FloatArray,
    Grid,
    capacity,
    format_seconds,
    format_value,
    min_effect,
    noise_sigma,
    regularize,
    row_medians,
)
from nightcall.model import Evidence, Finding, FindingKind, Series
from nightcall.model.timespec import format_time_ns
from nightcall.store.queries_traces import Window

DETECTOR = "trend"
MAX_FIT_POINTS = 240  # Theil-Sen is quadratic: longer spans are fitted on medians of bins
MIN_HALF_POINTS = 6
HINGE_F = 10.0  # F statistic a flat start must reach before the onset moves later
HALF_SLOPE_RATIO = 3.0  # each half's slope within 1/3x..3x of the whole span's


@dataclass(frozen=True, slots=True)
class Fit:
    """A Theil-Sen line over grid indices, with its Mann-Kendall p-value."""

    slope: float  # per grid step
    intercept: float  # value at index 0
    p_value: float

    def at(self, index: float) -> float:
        """The fitted value at grid position `index`."""
        return self.intercept + self.slope * index


def fit_trend(x: FloatArray, y: FloatArray) -> Fit | None:
    """Theil-Sen slope and Mann-Kendall significance, or None for too few or constant points."""
    if len(x) < MIN_HALF_POINTS or float(np.ptp(y)) == 0.0:
        return None
    slope, intercept, _, _ = stats.theilslopes(y, x)
    tau = stats.kendalltau(x, y)
    p_value = float(tau.pvalue)
    if not (math.isfinite(slope) and math.isfinite(p_value)):
        return None
    return Fit(slope=float(slope), intercept=float(intercept), p_value=p_value)


def detect_trends(series: Series, window: Window, config: AnomalyConfig) -> list[Finding]:
    """A finding for the longest span ending at the window's end with a steady, significant slope.

    The span is dated by a hinge fit (flat, then sloped) so a leak's onset is when it began.
    """
    grid = regularize(series)
    if grid is None:
        return []
    first, last = grid.window_span(window)
    if last <= first:
        return []
    noise = noise_sigma(grid.values[:last])
    if not math.isfinite(noise) or noise <= 0:
        return []
    for fraction in (1.0, 0.5, 0.25):
        start = last - int(last * fraction)
        x, y = _binned(grid.values, start, last)
        if len(x) < max(2 * MIN_HALF_POINTS, config.min_points):
            continue
        fit = _steady_fit(x, y, config)
        if fit is None:
            continue
        change = fit.slope * (last - 1 - start)
        baseline = fit.at(start)
        if abs(change) < max(
            config.trend_min_change * noise, min_effect(series, y, baseline, config)
        ):
            continue
        x_all, y_all = _binned(grid.values, 0, last)
        onset = _hinge_onset(x_all, y_all, earliest=0, latest=start + (last - start) // 2)
        begin = start if onset is None else max(0, min(onset, last - 1))
        if onset is not None and onset > start:
            refit = fit_trend(*_binned(grid.values, begin, last))
            fit = refit if refit is not None and refit.slope * fit.slope > 0 else fit
        return [_finding(series, grid, window, (begin, last), fit, noise, config)]
    return []


def _hinge_onset(x: FloatArray, y: FloatArray, *, earliest: int, latest: int) -> int | None:
    """Where a flat line turning into a slope fits best: when the trend began.

    Least squares of y = a + b·max(0, x - h) for each candidate h; the best h is the onset.
    """
    candidates = x[(x >= earliest) & (x <= latest)]
    if len(candidates) == 0 or len(x) < 2 * MIN_HALF_POINTS:
        return None
    ramp = np.maximum(0.0, x[None, :] - candidates[:, None])
    ramp_mean = ramp.mean(axis=1, keepdims=True)
    centered = ramp - ramp_mean
    y_centered = y - y.mean()
    variance = (centered**2).sum(axis=1)
    usable = variance > 0
    if not usable.any():
        return None
    slopes = np.zeros(len(candidates))
    slopes[usable] = (centered[usable] @ y_centered) / variance[usable]
    residual = y_centered[None, :] - slopes[:, None] * centered
    errors = (residual**2).sum(axis=1)
    errors[~usable] = np.inf
    best = int(np.argmin(errors))
    # A flat start must earn its extra parameter (an F-test at a strict level), else the whole
    # span is the trend: noise alone always moves the best hinge a little.
    improvement = (errors[0] - errors[best]) / max(errors[best] / max(len(x) - 3, 1), 1e-12)
    chosen = best if improvement >= HINGE_F else 0
    return round(float(candidates[chosen]))


def _steady_fit(x: FloatArray, y: FloatArray, config: AnomalyConfig) -> Fit | None:
    whole = fit_trend(x, y)
    if whole is None or whole.p_value >= config.trend_p_value or whole.slope == 0:
        return None
    middle = len(x) // 2
    for half in (slice(0, middle), slice(middle, None)):
        part = fit_trend(x[half], y[half])
        if part is None or part.p_value >= math.sqrt(config.trend_p_value):
            return None
        ratio = part.slope / whole.slope
        if not 1 / HALF_SLOPE_RATIO <= ratio <= HALF_SLOPE_RATIO:
            return None
    return whole


def _binned(values: FloatArray, start: int, end: int) -> tuple[FloatArray, FloatArray]:
    """Positions and values of [start, end), as medians of bins when there are too many."""
    span = values[start:end]
    size = max(1, math.ceil(len(span) / MAX_FIT_POINTS))
    padded = np.concatenate([span, np.full((-len(span)) % size, np.nan)])
    positions = start + np.arange(len(padded), dtype=np.float64)
    positions[len(span) :] = np.nan
    y, counts = row_medians(padded.reshape(-1, size))
    x, _ = row_medians(np.where(np.isfinite(padded), positions, np.nan).reshape(-1, size))
    keep = counts > 0
    return x[keep], y[keep]


def _finding(
    series: Series,
    grid: Grid,
    window: Window,
    span: tuple[int, int],
    fit: Fit,
    noise: float,
    config: AnomalyConfig,
) -> Finding:
    start, end = span
    step_s = grid.step_ns / 1e9
    slope_per_s = fit.slope / step_s
    baseline, observed = fit.at(start), fit.at(end - 1)
    now_index = (window.end_ns - grid.time_at(0)) / grid.step_ns
    unit_rate = f"{series.unit}/s" if series.unit else "1/s"
    evidence = [
        *level_evidence(series, baseline, observed, noise),
        Evidence(name="slope_per_s", value=slope_per_s, unit=unit_rate),
        Evidence(name="mann_kendall_p", value=fit.p_value),
        Evidence(
            name="window",
            value=round(observed - baseline, 6),
            unit=series.unit,
            start_ns=grid.time_at(start),
            end_ns=grid.time_at(end),
        ),
    ]
    verb = "rising" if fit.slope > 0 else "falling"
    summary = (
        f"{series.key} {verb} steadily by {format_value(slope_per_s * 3600, series.unit)}/h"
        f" since {format_time_ns(grid.time_at(start))} (Theil-Sen; Mann-Kendall"
        f" p={fit.p_value:.1e}), now {format_value(observed, series.unit)}"
    )
    limit = capacity(series, grid.values)
    if limit is not None and fit.slope > 0:
        remaining_s = max(0.0, (limit - fit.at(now_index)) / slope_per_s)
        exhausted_ns = window.end_ns + int(remaining_s * 1e9)
        evidence.append(Evidence(name="limit", value=limit, unit=series.unit))
        evidence.append(
            Evidence(
                name="time_to_exhaustion_s",
                value=round(remaining_s, 3),
                unit="s",
                start_ns=window.end_ns,
                end_ns=exhausted_ns,
            )
        )
        summary += (
            f"; reaches the limit of {format_value(limit, series.unit)} in"
            f" {format_seconds(remaining_s)} ({format_time_ns(exhausted_ns)})"
        )
    return build_finding(
        series,
        grid,
        kind=FindingKind.TREND,
        detector=DETECTOR,
        span=span,
        score=abs(observed - baseline) / (config.trend_min_change * noise),
        summary=summary,
        baseline=baseline,
        observed=observed,
        evidence=evidence,
    )
