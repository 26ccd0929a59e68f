"""Periodic problems: bursts that recur with a stable period, with the period and the phase.

Bursts are runs of points far above (or below) the series' robust level. The period is the
time between onsets over the cycles they span, which tolerates jitter and skipped cycles where
equal gaps would not; the autocorrelation of the series must show a peak near the same period.
The finding is marked recurring: a cron job that spikes every 5 minutes explains symptoms, it
is not an incident by itself. Its phase is measured from the Unix epoch, so "every 5 minutes at
minute 2" can be read off and the next burst predicted.
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
    fill_gaps,
    format_seconds,
    format_value,
    median,
    merge_runs,
    min_effect,
    noise_sigma,
    regularize,
    robust_sigma,
    runs,
)
from nightcall.model import Direction, Evidence, Finding, FindingKind, Series
from nightcall.model.timespec import format_time_ns
from nightcall.store.queries_traces import Window

DETECTOR = "periodic"
MIN_ACF = 0.15  # the autocorrelation peak near the period that confirms it
MIN_CYCLE_COVERAGE = 0.6  # share of cycles between first and last burst that had a burst
MAX_BURSTS_SHOWN = 10


@dataclass(frozen=True, slots=True)
class _Pattern:
    bursts: list[tuple[int, int]]
    period: float  # in grid steps
    jitter: float  # in grid steps
    acf_peak: float
    acf_lag: int
    center: float
    level: float
    sigma: float
    sign: float


def detect_periodic(series: Series, window: Window, config: AnomalyConfig) -> list[Finding]:
    """A recurring finding when bursts recur with a stable period up to the window's end."""
    grid = regularize(series)
    if grid is None:
        return []
    first, last = grid.window_span(window)
    raw = grid.values[:last]
    if last <= first or np.isfinite(raw).sum() < config.min_points:
        return []
    filled = fill_gaps(raw)
    patterns = [_pattern(series, raw, filled, sign, config) for sign in (1.0, -1.0)]
    found = [p for p in patterns if p is not None]
    if not found:
        return []
    pattern = max(found, key=lambda p: len(p.bursts))
    if pattern.bursts[-1][1] < first - 1.5 * pattern.period:
        return []  # it stopped before the window: history, not a current pattern
    return [_finding(series, grid, pattern, config)]


def _pattern(
    series: Series, raw: FloatArray, filled: FloatArray, sign: float, config: AnomalyConfig
) -> _Pattern | None:
    center = median(raw)
    sigma = robust_sigma(raw)
    if not sigma > 0:
        sigma = noise_sigma(filled)
    if not (math.isfinite(sigma) and sigma > 0):
        return None
    deviation = sign * (np.nan_to_num(raw, nan=center) - center)
    above = (deviation >= config.periodic_burst_z * sigma) & (
        deviation >= min_effect(series, raw, center, config)
    )
    bursts = merge_runs(runs(above), gap=1)
    if len(bursts) < config.periodic_min_bursts:
        return None
    acf = _autocorrelation(filled)
    guess = _fundamental_lag(acf)
    if guess is None:
        guess = float(np.median(np.diff([start for start, _ in bursts])))
    # A stray outlier between two bursts is not a burst of its own: keep onsets at least half
    # a period apart, and give up if that drops too many.
    kept = [bursts[0]]
    for burst in bursts[1:]:
        if burst[0] - kept[-1][0] >= guess / 2:
            kept.append(burst)
    if len(kept) < max(config.periodic_min_bursts, (1 - config.periodic_max_jitter) * len(bursts)):
        return None
    bursts = kept
    onsets = np.array([start for start, _ in bursts], dtype=np.float64)
    spacing = np.diff(onsets)
    if guess < 2:
        return None
    cycles = np.rint(spacing / guess)
    if np.mean(cycles == 0) > config.periodic_max_jitter:
        return None  # several bursts per cycle: not one periodic burst
    whole = cycles >= 1
    if len(spacing) < MIN_CYCLE_COVERAGE * float(cycles.sum()):
        return None  # too many cycles skipped
    # Total time over total cycles: right whether the jitter is around a schedule or
    # accumulates from burst to burst, and unmoved by a skipped cycle.
    slope = float(spacing[whole].sum() / cycles[whole].sum())
    residual = spacing[whole] - cycles[whole] * slope
    jitter = MAD_TO_SIGMA * float(np.median(np.abs(residual - np.median(residual))))
    if jitter > config.periodic_max_jitter * slope:
        return None
    acf_lag, acf_peak = _acf_peak(acf, slope)
    if acf_peak < MIN_ACF:
        return None
    level = median(np.concatenate([raw[s:e] for s, e in bursts]))
    return _Pattern(
        bursts=bursts,
        period=float(slope),
        jitter=jitter,
        acf_peak=acf_peak,
        acf_lag=acf_lag,
        center=center,
        level=level,
        sigma=sigma,
        sign=sign,
    )


def _autocorrelation(values: FloatArray) -> FloatArray:
    """The autocorrelation of `values` at every lag (zeros for a constant series)."""
    centered = values - float(np.mean(values))
    energy = float(np.dot(centered, centered))
    if energy <= 0:
        return np.zeros(len(values))
    spectrum = np.fft.rfft(centered, 2 * len(values))
    return np.asarray(np.fft.irfft(spectrum * np.conj(spectrum))[: len(values)] / energy)


def _fundamental_lag(acf: FloatArray) -> float | None:
    """The period the autocorrelation points to: its strongest peak, or the shortest peak of
    nearly the same height that divides it (a peak at 2P is also a peak at P)."""
    top = len(acf) // 3
    if top < 4:
        return None
    inner = acf[2:top]
    is_peak = (inner >= acf[1 : top - 1]) & (inner >= acf[3 : top + 1]) & (inner >= MIN_ACF)
    peaks = np.flatnonzero(is_peak) + 2
    if len(peaks) == 0:
        return None
    best = int(peaks[np.argmax(acf[peaks])])
    for lag in peaks:
        multiple = best / lag
        if acf[lag] >= 0.8 * acf[best] and abs(multiple - round(multiple)) < 0.15:
            return float(lag)
    return float(best)


def _acf_peak(acf: FloatArray, period: float) -> tuple[int, float]:
    """The highest autocorrelation at lags within 20% of `period`, and its lag."""
    n = len(acf)
    low, high = max(1, math.floor(period * 0.8)), min(n - 1, math.ceil(period * 1.2))
    if high < low:
        return 0, 0.0
    lag = low + int(np.argmax(acf[low : high + 1]))
    return lag, float(acf[lag])


def _finding(series: Series, grid: Grid, pattern: _Pattern, config: AnomalyConfig) -> Finding:
    step_s = grid.step_ns / 1e9
    period_s = pattern.period * step_s
    onsets_s = np.array([grid.time_at(s) / 1e9 for s, _ in pattern.bursts])
    angles = 2 * np.pi * np.mod(onsets_s, period_s) / period_s
    phase_s = float(np.mod(np.arctan2(np.sin(angles).mean(), np.cos(angles).mean()), 2 * np.pi))
    phase_s *= period_s / (2 * np.pi)
    burst_s = float(np.median([(e - s) * step_s for s, e in pattern.bursts]))
    last_onset = pattern.bursts[-1][0]
    next_ns = grid.time_at(last_onset) + int(period_s * 1e9)
    evidence = [
        *level_evidence(series, pattern.center, pattern.level, pattern.sigma),
        Evidence(name="period_s", value=round(period_s, 3), unit="s"),
        Evidence(name="phase_s", value=round(phase_s, 3), unit="s"),
        Evidence(name="jitter_s", value=round(pattern.jitter * step_s, 3), unit="s"),
        Evidence(name="burst_s", value=round(burst_s, 3), unit="s"),
        Evidence(name="bursts", value=len(pattern.bursts)),
        Evidence(name="acf_peak", value=round(pattern.acf_peak, 3)),
        Evidence(name="acf_period_s", value=round(pattern.acf_lag * step_s, 3), unit="s"),
        Evidence(name="next_burst", value=format_time_ns(next_ns), start_ns=next_ns),
    ]
    for start, end in pattern.bursts[-MAX_BURSTS_SHOWN:]:
        evidence.append(
            Evidence(
                name="burst",
                value=round(median(grid.values[start:end]), 6),
                unit=series.unit,
                start_ns=grid.time_at(start),
                end_ns=grid.time_at(end),
            )
        )
    verb = "bursts to" if pattern.sign > 0 else "dips to"
    summary = (
        f"{series.key} {verb} {format_value(pattern.level, series.unit)} (from"
        f" {format_value(pattern.center, series.unit)}) every {format_seconds(period_s)}"
        f" (±{format_seconds(pattern.jitter * step_s)}, {len(pattern.bursts)} bursts,"
        f" autocorrelation {pattern.acf_peak:.2f}); next expected {format_time_ns(next_ns)}"
    )
    peaks = [float(np.nanmax(np.abs(grid.values[s:e] - pattern.center))) for s, e in pattern.bursts]
    return build_finding(
        series,
        grid,
        kind=FindingKind.PERIODIC,
        detector=DETECTOR,
        span=(pattern.bursts[0][0], pattern.bursts[-1][1]),
        score=float(np.median(peaks)) / (config.periodic_burst_z * pattern.sigma),
        summary=summary,
        baseline=pattern.center,
        observed=pattern.level,
        evidence=evidence,
        direction=Direction.UP if pattern.sign > 0 else Direction.DOWN,
        is_recurring=True,
    )
