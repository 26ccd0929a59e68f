"""How far each series moved after the incident's onset, in units of its own earlier noise.

This is BARO's scoring (Pham et al., FSE'24): fit a robust scale on the points before the
onset (median and MAD, not mean and standard deviation), then score the points after it. The
score is a high quantile of the scaled deviations rather than their maximum, so one stray
point does not outrank a sustained shift, while a fault that lasts a fraction of the time after
the onset still shows. Error rates and sparse counts are scored on counts instead: a rolling
sum after the onset against what the earlier rate predicts (binomial or Poisson), so one failed
request out of three is not a 33% error rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nightcall.model import Direction, Series, SeriesKey, SeriesKind

FloatArray = NDArray[np.float64]

UPPER_QUANTILE = 0.9
COUNT_WINDOW_POINTS = 4  # rolling sums over this many steps for error and count tests
MIN_BASELINE_POINTS = 4
_RELATIVE_FLOOR = 0.05  # a scale never below 5% of the level: a flat series is not infinitely sure
_RANGE_FLOOR = 0.02  # nor below 2% of the series' largest magnitude (a gauge resting at 0)
MAX_Z = 50.0  # beyond this every shift is plainly real; clipping keeps one series from
# outvoting every other by orders of magnitude


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesShift:
    """The move of one series after `onset_ns`: its size and its robust score.

    `z` is signed (positive for a rise); `before` the median before the onset, `after` the level
    reached (the quantile that gave the score); `peak_ns` when that level was first reached.
    """

    key: SeriesKey
    kind: SeriesKind
    unit: str
    z: float
    before: float
    after: float
    onset_ns: int
    peak_ns: int
    query: str = ""

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def direction(self) -> Direction:
        return Direction.UP if self.z > 0 else Direction.DOWN if self.z < 0 else Direction.NONE

    @property
    def service(self) -> str:
        return self.key.service


def _finite(values: FloatArray) -> FloatArray:
    return values[np.isfinite(values)]


def _scale(before: FloatArray, floor: float) -> float:
    median = float(np.median(before))
    mad = float(np.median(np.abs(before - median))) * 1.4826
    return max(mad, _RELATIVE_FLOOR * abs(median), floor)


def _absolute_floor(series: Series, step_s: float) -> float:
    """The smallest change worth a unit of score, by the series' kind and unit."""
    match series.kind:
        case SeriesKind.LATENCY:
            return 5.0 if series.unit == "ms" else 0.005 if series.unit == "s" else 1e-9
        case SeriesKind.UTILIZATION | SeriesKind.MEMORY:
            return 2.0 if series.unit == "%" else 0.02 if series.unit in {"1", ""} else 1e-9
        case SeriesKind.COUNTER_RATE:
            return 1.0 / max(step_s, 1e-9)
        case _:
            return 1e-9


def onset_index(series: Series, onset_ns: int) -> int:
    times = np.asarray(series.times_ns, dtype=np.int64)
    return int(np.searchsorted(times, onset_ns, side="left"))


def measure_shift(
    series: Series,
    onset_ns: int,
    *,
    weights: Series | None = None,
) -> SeriesShift | None:
    """The shift of `series` after `onset_ns`; None when either side has too few points.

    `weights` is the matching count series (requests per second for an error rate): given, the
    rate is tested on counts.
    """
    if len(series) < 2 * MIN_BASELINE_POINTS:
        return None
    values = np.asarray(series.values, dtype=np.float64)
    step_s = max(1e-9, (series.times_ns[1] - series.times_ns[0]) / 1e9)
    split = onset_index(series, onset_ns)
    if split < MIN_BASELINE_POINTS:
        split = max(MIN_BASELINE_POINTS, len(values) // 6)
    before, after = values[:split], values[split:]
    finite_before = _finite(before)
    if len(finite_before) < MIN_BASELINE_POINTS or len(_finite(after)) == 0:
        return None
    median = float(np.median(finite_before))
    if series.kind == SeriesKind.ERROR_RATE and weights is not None:
        deviations = _binomial_z(before, after, np.asarray(weights.values) * step_s, split)
    elif series.kind == SeriesKind.COUNTER_RATE and median * step_s < 5:
        deviations = _poisson_z(before * step_s, after * step_s)
    else:
        largest = float(np.max(np.abs(_finite(values))))
        floor = max(_absolute_floor(series, step_s), _RANGE_FLOOR * largest)
        scale = _scale(finite_before, floor)
        deviations = (after - median) / scale
    if len(deviations) < len(after):  # rolling sums start a window at each point: pad the tail
        deviations = np.concatenate([deviations, np.full(len(after) - len(deviations), np.nan)])
    deviations = deviations[: len(after)]
    finite = np.isfinite(deviations)
    if not finite.any():
        return None
    upper = float(np.quantile(deviations[finite], UPPER_QUANTILE))
    lower = float(np.quantile(deviations[finite], 1 - UPPER_QUANTILE))
    z = upper if abs(upper) >= abs(lower) else lower
    z = max(-MAX_Z, min(MAX_Z, z))
    with np.errstate(invalid="ignore"):
        reached = np.flatnonzero(finite & ((deviations >= z) if z > 0 else (deviations <= z)))
    peak = split + int(reached[0]) if len(reached) else split
    chosen = (deviations >= z) if z > 0 else (deviations <= z)
    level_points = _finite(after[finite & chosen])
    level = float(np.median(level_points)) if len(level_points) else median
    return SeriesShift(
        key=series.key,
        kind=series.kind,
        unit=series.unit,
        z=round(z, 3),
        before=median,
        after=level,
        onset_ns=series.times_ns[min(split, len(series) - 1)],
        peak_ns=series.times_ns[min(peak, len(series) - 1)],
        query=series.query,
    )


def _rolling_sum(values: FloatArray, width: int) -> FloatArray:
    clean = np.nan_to_num(values, nan=0.0)
    if len(clean) < width:
        return np.asarray([clean.sum()], dtype=np.float64)
    kernel = np.ones(width)
    return np.asarray(np.convolve(clean, kernel, mode="valid"), dtype=np.float64)


def _binomial_z(
    before: FloatArray, after: FloatArray, counts: FloatArray, split: int
) -> FloatArray:
    """Per rolling window after the split: failures against the rate before it, in std units."""
    n_before, n_after = counts[:split], counts[split:]
    failures_before = np.nan_to_num(before) * n_before
    total_before = float(np.nansum(n_before))
    rate = (float(np.nansum(failures_before)) + 0.5) / (total_before + 1.0)
    rate = min(max(rate, 0.002), 0.999)
    failures = _rolling_sum(np.nan_to_num(after) * n_after, COUNT_WINDOW_POINTS)
    trials = _rolling_sum(n_after, COUNT_WINDOW_POINTS)
    expected = trials * rate
    spread = np.sqrt(trials * rate * (1 - rate) + 1.0)
    return np.asarray((failures - expected) / spread, dtype=np.float64)


def _poisson_z(before_counts: FloatArray, after_counts: FloatArray) -> FloatArray:
    """Per rolling window after the split: events against the earlier rate, in std units."""
    rate = float(np.nanmean(before_counts)) if len(_finite(before_counts)) else 0.0
    observed = _rolling_sum(after_counts, COUNT_WINDOW_POINTS)
    expected = rate * min(COUNT_WINDOW_POINTS, max(1, len(after_counts)))
    return np.asarray((observed - expected) / math.sqrt(expected + 1.0), dtype=np.float64)
