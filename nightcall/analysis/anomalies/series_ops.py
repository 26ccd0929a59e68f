"""Putting a series on a regular grid, and the robust statistics every detector shares.

Detectors see a `Grid`: times on an even step with NaN where a bucket had no data. Everything
here is written so that empty or all-NaN inputs give NaN or an empty answer instead of NumPy
warnings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.model import Series, SeriesKind
from nightcall.store.queries_traces import Window

MAD_TO_SIGMA = 1.4826  # makes the MAD of normal noise estimate its standard deviation
MAX_GRID_POINTS = 100_000  # a grid longer than this means the times are not one series' steps
_LATENCY_TO_MS = {"ms": 1.0, "s": 1e3, "us": 1e-3, "µs": 1e-3, "ns": 1e-6, "min": 6e4}
_RATIO_KINDS = {SeriesKind.ERROR_RATE, SeriesKind.UTILIZATION, SeriesKind.MEMORY}

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Grid:
    """A series on an even step: `values[i]` is the mean of the points in bucket i, or NaN."""

    times_ns: NDArray[np.int64]
    values: FloatArray
    step_ns: int

    def __len__(self) -> int:
        return len(self.values)

    def index_of(self, time_ns: int) -> int:
        """The bucket index of `time_ns`, clipped to the grid."""
        index = round((time_ns - int(self.times_ns[0])) / self.step_ns)
        return min(max(index, 0), len(self.values))

    def time_at(self, index: int) -> int:
        """The time of bucket `index` (one past the end gives the end of the grid)."""
        return int(self.times_ns[0]) + index * self.step_ns

    def window_span(self, window: Window) -> tuple[int, int]:
        """The half-open index range of the buckets inside `window`."""
        start = int(np.searchsorted(self.times_ns, window.start_ns, side="left"))
        end = int(np.searchsorted(self.times_ns, window.end_ns, side="left"))
        return start, end


def regularize(series: Series) -> Grid | None:
    """The series on its median step, or None when it has under two finite points.

    The step comes from all timestamps, NaN-valued ones included: they mark buckets the
    store had, so they say what the step is even where a value is missing.
    """
    times = np.asarray(series.times_ns, dtype=np.int64)
    values = np.asarray(series.values, dtype=np.float64)
    gaps = np.diff(np.unique(times))
    if len(gaps) == 0:
        return None
    step = int(np.median(gaps))
    keep = np.isfinite(values)
    times, values = times[keep], values[keep]
    if len(times) < 2:
        return None
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    index = np.rint((times - times[0]) / step).astype(np.int64)
    size = int(index[-1]) + 1
    if size > MAX_GRID_POINTS:
        return None
    sums = np.bincount(index, weights=values, minlength=size)
    counts = np.bincount(index, minlength=size)
    grid = np.full(size, np.nan)
    filled = counts > 0
    grid[filled] = sums[filled] / counts[filled]
    return Grid(
        times_ns=times[0] + np.arange(size, dtype=np.int64) * step, values=grid, step_ns=step
    )


def fill_gaps(values: FloatArray) -> FloatArray:
    """NaNs replaced by linear interpolation (ends by the nearest value); all-NaN stays NaN."""
    finite = np.isfinite(values)
    if finite.all() or not finite.any():
        return values.copy()
    positions = np.arange(len(values))
    return np.interp(positions, positions[finite], values[finite])


def median(values: FloatArray) -> float:
    """The median of the finite values, or NaN when there are none."""
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if len(finite) else math.nan


def robust_sigma(values: FloatArray) -> float:
    """1.4826 x MAD of the finite values: the standard deviation robust to outliers."""
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return math.nan
    return MAD_TO_SIGMA * float(np.median(np.abs(finite - np.median(finite))))


def noise_sigma(values: FloatArray) -> float:
    """The point-to-point noise level, from differences so that steps and slopes barely count.

    Falls back to a scale of the values themselves when the differences' MAD is zero (a series
    that is flat most of the time), so that a flat series with rare changes has some scale.
    """
    diffs = np.diff(values)
    sigma = robust_sigma(diffs) / math.sqrt(2)
    if not math.isfinite(sigma) or sigma <= 0:
        finite = diffs[np.isfinite(diffs)]
        sigma = float(np.mean(np.abs(finite))) if len(finite) else 0.0
    return sigma


def rolling_median_mad(
    values: FloatArray, width: int, start: int = 0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For each point from `start` on: median, MAD and count of the finite `width` before it.

    The point itself is excluded, so an outlier does not hide itself. Computed with a sort per
    window (NaN sorts last), which stays vectorised and warning-free with gaps.
    """
    n = len(values)
    padded = np.concatenate([np.full(width, np.nan), values[:-1]]) if n else values
    if n == 0:
        empty = np.empty(0)
        return empty, empty, empty
    windows = np.lib.stride_tricks.sliding_window_view(padded, width)[start:n]
    medians, counts = row_medians(windows)
    mads, _ = row_medians(np.abs(windows - medians[:, None]))
    return medians, mads, counts.astype(np.float64)


def row_medians(matrix: FloatArray) -> tuple[FloatArray, NDArray[np.int64]]:
    """The median of the finite values of each row (NaN for none), and how many there were."""
    ordered = np.sort(matrix, axis=1)  # NaN sorts last
    counts = np.isfinite(ordered).sum(axis=1)
    if ordered.shape[1] == 0:
        return np.full(len(ordered), np.nan), counts
    rows = np.arange(len(ordered))
    low = np.clip((counts - 1) // 2, 0, ordered.shape[1] - 1)
    high = np.clip(counts // 2, 0, ordered.shape[1] - 1)
    result = (ordered[rows, low] + ordered[rows, high]) / 2
    result[counts == 0] = np.nan
    return result, counts


def runs(mask: NDArray[np.bool_]) -> list[tuple[int, int]]:
    """Half-open index ranges of the consecutive True values of `mask`."""
    if len(mask) == 0:
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def merge_runs(spans: list[tuple[int, int]], *, gap: int) -> list[tuple[int, int]]:
    """Runs joined when at most `gap` points separate them (a short dip does not split a run)."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start - merged[-1][1] <= gap:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def canonical_factor(series: Series, values: FloatArray) -> float | None:
    """What to multiply values by for ms (latency) or % (ratios); None when no such unit applies.

    An empty unit on a ratio kind is read as a fraction unless values exceed 1.5, which only a
    percentage can (an error rate of 150% does not exist).
    """
    unit = series.unit.strip()
    if series.kind == SeriesKind.LATENCY:
        return _LATENCY_TO_MS.get(unit or "ms")
    if series.kind not in _RATIO_KINDS:
        return None
    if unit == "%":
        return 1.0
    if unit in {"1", "ratio"}:
        return 100.0
    if unit == "":
        finite = values[np.isfinite(values)]
        return 1.0 if len(finite) and float(np.max(finite)) > 1.5 else 100.0
    if series.limit is not None:  # bytes, or any unit with a known capacity
        return 100.0 / series.limit
    return None


def capacity(series: Series, values: FloatArray) -> float | None:
    """The limit a trend can run into, in the series' unit: `limit`, or 100% for ratios."""
    if series.limit is not None:
        return series.limit
    factor = canonical_factor(series, values)
    if factor is not None and series.kind in _RATIO_KINDS:
        return 100.0 / factor
    return None


def min_effect(series: Series, values: FloatArray, baseline: float, config: AnomalyConfig) -> float:
    """The smallest change worth reporting at `baseline`, in the series' unit."""
    relative = config.min_effect_ratio * abs(baseline) if math.isfinite(baseline) else 0.0
    factor = canonical_factor(series, values)
    if factor is None or factor <= 0:
        return relative
    floor_canonical = (
        config.min_effect_latency_ms if series.kind == SeriesKind.LATENCY else config.min_effect_pct
    )
    return max(relative, floor_canonical / factor)


def format_value(value: float, unit: str) -> str:
    """A number with its unit, briefly: `1840 ms`, `0.053`, `3.2e+09 By`."""
    text = f"{value:.3g}" if abs(value) < 1e6 else f"{value:.2e}"
    return f"{text} {unit}" if unit and unit != "1" else text


def format_seconds(seconds: float) -> str:
    """A duration as people say it: `45s`, `12m`, `3.5h`, `2.1d`."""
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f}h"
    return f"{seconds / 86400:.1f}d"
