"""Generated fact tables with injected root causes, in the style of the Squeeze/RiskLoc sets.

Deviation cases follow Squeeze's B sets and RiskLoc's generator: every combination of 4-6
dimensions (5-20 values each) is a leaf; the real value of a normal leaf is Weibull-distributed
(heavy-tailed, alpha in [0.5, 1]) with some leaves zero; the forecast is the real value with a
relative Gaussian error (the noise level), real and forecast swapped at random so the noise is
symmetric. Each case injects `n_causes` non-overlapping root causes of `depth` dimensions; the
leaves under a cause get real = forecast x (1 - r) (a drop) or x (1 + r) (a rise), r drawn per
leaf around the cause's severity, which is U(0.2, 0.9) plus the noise level (as RiskLoc does,
so an anomaly does not hide inside the noise).

Count cases pose the same question as failures among totals: per leaf a population (Weibull,
scaled to ~20 items a leaf), a background failure rate U(0.2%, 3%), and root causes whose
failure rate is 3-30x the background; failures are binomial draws.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from nightcall.analysis.dimensions import CountRow, CountTable, DeviationRow, DeviationTable

SHAPES: tuple[tuple[int, ...], ...] = (
    (12, 10, 8, 10),  # 9,600 leaves
    (10, 8, 6, 5, 5),  # 12,000 leaves
    (6, 5, 5, 5, 5, 5),  # 18,750 leaves
)

Combination = frozenset[tuple[str, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class SyntheticCase:
    """One generated table and the root causes injected into it."""

    n_causes: int
    depth: int
    noise: float
    shape: tuple[int, ...]
    truth: frozenset[Combination]
    deviation: DeviationTable | None = None
    counts: CountTable | None = None


def _grid(shape: tuple[int, ...]) -> tuple[tuple[str, ...], np.ndarray]:
    names = tuple("abcdefgh"[: len(shape)])
    codes = np.array(list(itertools.product(*(range(n) for n in shape))), dtype=np.int64)
    return names, codes


def _causes(
    rng: np.random.Generator,
    names: tuple[str, ...],
    shape: tuple[int, ...],
    codes: np.ndarray,
    usable: np.ndarray,
    n_causes: int,
    depth: int,
) -> list[tuple[Combination, np.ndarray]]:
    """Non-overlapping causes, each holding at least one usable leaf."""
    chosen: list[tuple[Combination, np.ndarray]] = []
    taken = np.zeros(codes.shape[0], dtype=bool)
    while len(chosen) < n_causes:
        dims = sorted(rng.choice(len(shape), size=depth, replace=False).tolist())
        values = [int(rng.integers(shape[d])) for d in dims]
        mask = np.ones(codes.shape[0], dtype=bool)
        for d, v in zip(dims, values, strict=True):
            mask &= codes[:, d] == v
        if (mask & taken).any() or not (mask & usable).any():
            continue
        pairs = zip(dims, values, strict=True)
        combination = frozenset((names[d], f"{names[d]}{v}") for d, v in pairs)
        chosen.append((combination, mask))
        taken |= mask
    return chosen


def deviation_case(
    rng: np.random.Generator, *, n_causes: int, depth: int, noise: float, shape: tuple[int, ...]
) -> SyntheticCase:
    """One deviation table (see the module docstring)."""
    names, codes = _grid(shape)
    leaves = int(codes.shape[0])
    alpha = rng.uniform(0.5, 1.0)
    real = rng.weibull(alpha, size=leaves) * 100.0
    real *= rng.uniform(size=leaves) > rng.uniform(0.0, 0.25)
    forecast = np.maximum(real * (1.0 + rng.normal(0.0, noise, leaves)), 0.0)
    swap = rng.integers(0, 2, leaves).astype(bool)
    real, forecast = np.where(swap, forecast, real), np.where(swap, real, forecast)
    causes = _causes(rng, names, shape, codes, forecast > 0, n_causes, depth)
    rise = bool(rng.integers(0, 2))
    for _, mask in causes:
        severity = rng.uniform(0.2, 0.9) + noise
        change = np.clip(rng.normal(severity, 0.05, int(mask.sum())), 0.05, None)
        real[mask] = forecast[mask] * (1.0 + change if rise else np.maximum(1.0 - change, 0.0))
    rows = tuple(
        DeviationRow(
            values=tuple(f"{names[d]}{c}" for d, c in enumerate(codes[i])),
            actual=float(real[i]),
            expected=float(forecast[i]),
        )
        for i in range(leaves)
    )
    return SyntheticCase(
        n_causes=n_causes,
        depth=depth,
        noise=noise,
        shape=shape,
        truth=frozenset(c for c, _ in causes),
        deviation=DeviationTable(dimensions=names, rows=rows),
    )


def count_case(
    rng: np.random.Generator, *, n_causes: int, depth: int, noise: float, shape: tuple[int, ...]
) -> SyntheticCase:
    """One count table (see the module docstring); `noise` scales the items per leaf down."""
    names, codes = _grid(shape)
    leaves = int(codes.shape[0])
    alpha = rng.uniform(0.5, 1.0)
    # Lower "noise" levels mean more items per leaf, so relatively less binomial noise.
    items_per_leaf = 20.0 * (0.1 / max(noise, 0.025))
    weights = rng.weibull(alpha, size=leaves)
    total = rng.poisson(weights / weights.mean() * items_per_leaf).astype(np.float64)
    background = rng.uniform(0.002, 0.03)
    rate = np.full(leaves, background)
    causes = _causes(rng, names, shape, codes, total > 0, n_causes, depth)
    for _, mask in causes:
        rate[mask] = min(0.9, background * rng.uniform(3.0, 30.0))
    failed = rng.binomial(total.astype(np.int64), rate).astype(np.float64)
    rows = tuple(
        CountRow(
            values=tuple(f"{names[d]}{c}" for d, c in enumerate(codes[i])),
            failed=float(failed[i]),
            total=float(total[i]),
        )
        for i in range(leaves)
        if total[i] > 0
    )
    return SyntheticCase(
        n_causes=n_causes,
        depth=depth,
        noise=noise,
        shape=shape,
        truth=frozenset(c for c, _ in causes),
        counts=CountTable(dimensions=names, rows=rows),
    )


def cases(*, kind: str, per_cell: int, noises: tuple[float, ...], seed: int) -> list[SyntheticCase]:
    """`per_cell` cases per (causes, depth, noise), shapes taken in turn."""
    rng = np.random.default_rng(seed)
    make = deviation_case if kind == "deviation" else count_case
    made = []
    shapes = itertools.cycle(SHAPES)
    for noise in noises:
        for n_causes in (1, 2, 3):
            for depth in (1, 2, 3):
                for _ in range(per_cell):
                    made.append(
                        make(rng, n_causes=n_causes, depth=depth, noise=noise, shape=next(shapes))
                    )
    return made
