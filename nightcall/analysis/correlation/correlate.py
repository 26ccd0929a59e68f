"""Which anomalous series moved together, and who moved first.

Pearson's r on the overlapping finite points says two series move together (the seeds' bar is
|r| > 0.7); the lagged cross-correlation says by how many steps one leads the other (a positive
lag: `first` leads `second`); onsets order them in time. Correlation is evidence, not cause: the
ranking decides the cause, and these pairs show a person what moved with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nightcall.model import Series, SeriesKey

MIN_OVERLAP = 8
CORRELATED_R = 0.7


@dataclass(frozen=True, slots=True, kw_only=True)
class Correlation:
    """Two series that move together: r at lag 0, the best lag (steps) and r there."""

    first: SeriesKey
    second: SeriesKey
    r: float
    lag_steps: int
    lagged_r: float


def pearson(a: NDArray[np.float64], b: NDArray[np.float64]) -> float | None:
    both = np.isfinite(a) & np.isfinite(b)
    if int(both.sum()) < MIN_OVERLAP:
        return None
    x, y = a[both], b[both]
    if float(np.std(x)) == 0.0 or float(np.std(y)) == 0.0:
        return None
    return float(np.corrcoef(x, y)[0, 1])


def lagged_correlation(
    first: Series, second: Series, *, max_lag_steps: int = 5
) -> tuple[int, float] | None:
    """The lag (steps; positive when `first` leads) with the largest |r|, and that r."""
    a = np.asarray(first.values, dtype=np.float64)
    b = np.asarray(second.values, dtype=np.float64)
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    best: tuple[int, float] | None = None
    for lag in range(-max_lag_steps, max_lag_steps + 1):
        r = pearson(a[: n - lag], b[lag:]) if lag >= 0 else pearson(a[-lag:], b[: n + lag])
        if r is not None and (best is None or abs(r) > abs(best[1]) + 1e-9):
            best = (lag, r)
    return best


def correlate(
    series: Sequence[Series], *, min_r: float = CORRELATED_R, max_lag_steps: int = 5
) -> list[Correlation]:
    """Every pair of `series` with |r| >= `min_r` at lag 0 or at their best lag, strongest first."""
    pairs = []
    for i, first in enumerate(series):
        a = np.asarray(first.values, dtype=np.float64)
        for second in series[i + 1 :]:
            b = np.asarray(second.values, dtype=np.float64)
            n = min(len(a), len(b))
            r = pearson(a[:n], b[:n])
            lagged = lagged_correlation(first, second, max_lag_steps=max_lag_steps)
            if lagged is None:
                continue
            lag, lagged_r = lagged
            if max(abs(r or 0.0), abs(lagged_r)) < min_r:
                continue
            pairs.append(
                Correlation(
                    first=first.key,
                    second=second.key,
                    r=round(r or 0.0, 3),
                    lag_steps=lag,
                    lagged_r=round(lagged_r, 3),
                )
            )
    pairs.sort(key=lambda c: -max(abs(c.r), abs(c.lagged_r)))
    return pairs
