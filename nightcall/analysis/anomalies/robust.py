"""Robust deviation from a rolling, seasonality-aware baseline (median and MAD, not mean/std).

Each point is compared with the points before it. Where the series has history from earlier
days (or weeks), the same time of day (of week) on those days is taken out first, as Datadog's
Watchdog matches hour-of-week baselines; what remains is judged against the median and MAD of
the last `baseline_points` residuals. The seasonal baseline is used only when it explains the
series better than the rolling one, so a series without a daily shape is not made noisier.
A point is flagged when it is `robust_z` robust standard deviations out *and* the change is
large enough to matter (`min_effect`), so flat-ish series with tiny MADs do not page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.analysis.anomalies.findings import build_finding, level_evidence
from nightcall.analysis.anomalies.series_ops import (
    MAD_TO_SIGMA,
    FloatArray,
    Grid,
    format_value,
    median,
    merge_runs,
    min_effect,
    noise_sigma,
    regularize,
    robust_sigma,
    rolling_median_mad,
    row_medians,
    runs,
)
from nightcall.model import Evidence, Finding, FindingKind, Series
from nightcall.model.timespec import format_time_ns
from nightcall.store.queries_traces import Window

DETECTOR = "robust"
DAY_NS = 86_400 * 10**9
WEEK_NS = 7 * DAY_NS


@dataclass(frozen=True, slots=True)
class _Baseline:
    name: str  # "rolling", "same time on earlier days", "same time of week on earlier weeks"
    level: FloatArray  # the seasonal part per point (zeros when rolling)
    residual: FloatArray
    center: FloatArray  # rolling median of the residual before each point
    spread: FloatArray  # rolling MAD of the residual before each point
    counts: FloatArray


def detect_deviations(series: Series, window: Window, config: AnomalyConfig) -> list[Finding]:
    """Findings for runs of points in `window` far from their robust baseline."""
    grid = regularize(series)
    if grid is None or np.isfinite(grid.values).sum() < config.min_points:
        return []
    first, last = grid.window_span(window)
    if last <= first:
        return []
    low = max(0, first - config.baseline_points)
    baseline = _best_baseline(grid, low, last, config)
    rows = slice(first - low, last - low)
    noise = noise_sigma(baseline.residual)
    if not math.isfinite(noise) or noise <= 0:
        return []
    scale = np.maximum(MAD_TO_SIGMA * baseline.spread[rows], noise)
    deviation = baseline.residual[rows] - baseline.center[rows]
    expected = baseline.level[rows] + baseline.center[rows]
    floor = min_effect(series, grid.values, 0.0, config)
    needed = np.maximum(config.min_effect_ratio * np.abs(expected), floor)
    enough_history = baseline.counts[rows] >= min(config.baseline_points, config.min_points)
    with np.errstate(invalid="ignore", divide="ignore"):
        z = deviation / scale
    valid = enough_history & np.isfinite(z) & np.isfinite(needed)
    flagged = np.zeros(last - first, dtype=bool)
    flagged[valid] = (np.abs(z[valid]) >= config.robust_z) & (
        np.abs(deviation[valid]) >= needed[valid]
    )
    findings = []
    for sign in (1.0, -1.0):
        mask = flagged & (np.sign(np.nan_to_num(deviation)) == sign)
        for start, end in merge_runs(runs(mask), gap=1):
            span = slice(start, end)
            strongest = float(np.nanmax(np.abs(np.where(mask[span], z[span], np.nan))))
            findings.append(
                _finding(
                    series,
                    grid,
                    (first + start, first + end),
                    baseline=median(expected[span]),
                    observed=median(grid.values[first + start : first + end]),
                    noise=median(scale[span]),
                    z=strongest * sign,
                    method=baseline.name,
                    config=config,
                )
            )
    return sorted(findings, key=lambda f: f.onset_ns)


def _finding(
    series: Series,
    grid: Grid,
    span: tuple[int, int],
    *,
    baseline: float,
    observed: float,
    noise: float,
    z: float,
    method: str,
    config: AnomalyConfig,
) -> Finding:
    start, end = span
    verb = "rose" if z > 0 else "fell"
    summary = (
        f"{series.key} {verb} to {format_value(observed, series.unit)} against a {method}"
        f" baseline of {format_value(baseline, series.unit)} ({abs(z):.1f} robust SDs)"
        f" at {format_time_ns(grid.time_at(start))} for {end - start} points"
    )
    history_start = max(0, start - config.baseline_points)
    evidence = [
        *level_evidence(series, baseline, observed, noise, z),
        Evidence(name="baseline_method", value=method),
        Evidence(
            name="baseline_window",
            value=round(baseline, 6),
            unit=series.unit,
            start_ns=grid.time_at(history_start),
            end_ns=grid.time_at(start),
        ),
    ]
    return build_finding(
        series,
        grid,
        kind=FindingKind.DEVIATION,
        detector=DETECTOR,
        span=span,
        score=abs(z) / config.robust_z,
        summary=summary,
        baseline=baseline,
        observed=observed,
        evidence=evidence,
    )


def _best_baseline(grid: Grid, low: int, high: int, config: AnomalyConfig) -> _Baseline:
    """The rolling baseline, or a seasonal one where history allows and it fits better."""
    values = grid.values[low:high]
    best = _rolling("rolling", np.zeros(len(values)), values, config)
    for name, period_ns, min_cycles in (
        ("same time of week on earlier weeks", WEEK_NS, 2),
        ("same time on earlier days", DAY_NS, 1),
    ):
        level = seasonal_level(grid, low, high, period_ns, min_cycles, config.seasonal_cycles)
        if level is None:
            continue
        candidate = _rolling(name, level, values - level, config)
        if _misfit(candidate, config) <= _misfit(best, config):
            best = candidate
        break  # the longest period with enough history is the one to match on
    return best


def _rolling(
    name: str, level: FloatArray, residual: FloatArray, config: AnomalyConfig
) -> _Baseline:
    center, spread, counts = rolling_median_mad(residual, config.baseline_points)
    return _Baseline(name, level, residual, center, spread, counts)


def _misfit(baseline: _Baseline, config: AnomalyConfig) -> tuple[int, float]:
    """How many points the baseline would flag, then how widely the rest scatter around it.

    Counting flags, not only the spread, is what prefers a seasonal baseline that expects the
    evening dip over a rolling one that is surprised by it every day.
    """
    deviation = baseline.residual - baseline.center
    scale = np.maximum(MAD_TO_SIGMA * baseline.spread, noise_sigma(baseline.residual))
    with np.errstate(invalid="ignore", divide="ignore"):
        flagged = np.abs(deviation) >= config.robust_z * scale
    sigma = robust_sigma(deviation)
    return int(flagged.sum()), sigma if math.isfinite(sigma) else math.inf


def seasonal_level(
    grid: Grid, low: int, high: int, period_ns: int, min_cycles: int, max_cycles: int
) -> FloatArray | None:
    """Per index in [low, high): the median of the same phase in up to `max_cycles` earlier periods.

    Each earlier period contributes its matching point and both neighbours (timestamps jitter
    by a step). None unless every index has `min_cycles` periods of history before it.
    """
    lag = round(period_ns / grid.step_ns)
    if lag < 2 or max_cycles < 1 or low < lag * min_cycles:
        return None
    indices = np.arange(low, high)
    columns = []
    for cycle in range(1, max_cycles + 1):
        for shift in (-1, 0, 1):
            source = indices - cycle * lag + shift
            inside = (source >= 0) & (source < len(grid.values))
            columns.append(np.where(inside, grid.values[np.clip(source, 0, None)], np.nan))
    level, counts = row_medians(np.stack(columns, axis=1))
    if np.any(counts < 3):
        return None
    return level
