"""Small, exactly-known series on a one-minute grid, for the detector tests."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from nightcall.model import Series, SeriesKey, SeriesKind
from nightcall.store.queries_traces import Window

T0_NS = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z, a midnight
STEP_NS = 60 * 10**9


def make(
    values: Iterable[float],
    *,
    kind: SeriesKind = SeriesKind.GAUGE,
    unit: str = "",
    start_ns: int = T0_NS,
    step_ns: int = STEP_NS,
    limit: float | None = None,
    name: str = "m",
) -> Series:
    """A series of `values` every `step_ns` from `start_ns`."""
    floats = tuple(float(v) for v in values)
    return Series(
        key=SeriesKey.of(name, {"service": "checkout"}),
        times_ns=tuple(start_ns + i * step_ns for i in range(len(floats))),
        values=floats,
        unit=unit,
        kind=kind,
        limit=limit,
        query=f"metric_series({name!r}, step=60s)",
    )


def whole(series: Series) -> Window:
    """The window covering every point of `series`."""
    return Window(start_ns=series.times_ns[0], end_ns=series.times_ns[-1] + STEP_NS)


def noise(seed: int, n: int, level: float = 100.0, sigma: float = 5.0) -> NDArray[np.float64]:
    """Gaussian noise around `level`, reproducible by `seed`."""
    return level + np.random.default_rng(seed).normal(0.0, sigma, n)
