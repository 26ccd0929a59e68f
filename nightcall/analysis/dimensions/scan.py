"""The likelihood-ratio scan for count tables: which combination fails at a rate of its own.

For failures among totals the evidence is in the counts, not in a leaf-by-leaf split: a leaf
of twenty sessions cannot show a tenfold crash rate on its own, but the hundred leaves of one
device model together can. So every element (one value per dimension of a cuboid, up to
`max_depth` dimensions) is scored with the log-likelihood ratio of "its items fail at a rate
of their own, the others at theirs" against "all fail at one rate", the scan statistic of
Kulldorff (1997) over attribute combinations instead of regions:

    G = ll(k, n) + ll(K - k, N - n) - ll(K, N),   ll(k, n) = k ln(k/n) + (n - k) ln(1 - k/n)

for an element with k failures among n items, of K among N, when k/n > (K - k)/(N - n). It
is n KL(k/n || K/N) + (N - n) KL((K - k)/(N - n) || K/N): adding normally failing items to a
failing combination dilutes its rate, leaving some of its failing items out loses their
evidence, so the largest G names the combination that fails, neither coarser nor finer than
it is (the generalized ripple effect, in likelihood form). Greedily, the best element is
taken, its leaves removed, and the scan repeats over the rest while the best G is
significant: 2G against chi-squared with one degree of freedom, Bonferroni-corrected for the
number of elements scanned. The explanatory power of each is its share of the failures above
the rate outside every element found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
from scipy.stats import chi2

from nightcall.analysis.dimensions.search import BoolArray, FloatArray, IntArray, group_keys


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanOptions:
    """Limits and thresholds of the scan."""

    alpha: float = 0.01
    ep_threshold: float = 0.05
    max_depth: int = 3
    max_causes: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class ScanCause:
    """One element found: its dimensions (indices), value codes, G and explanatory power."""

    dimensions: tuple[int, ...]
    codes: tuple[int, ...]
    log_likelihood_ratio: float
    explanatory_power: float

    def mask(self, codes: IntArray) -> BoolArray:
        """Which leaves the element holds."""
        selected = np.ones(codes.shape[0], dtype=bool)
        for dimension, code in zip(self.dimensions, self.codes, strict=True):
            selected &= codes[:, dimension] == code
        return selected


def normal_rate(failed: FloatArray, total: FloatArray, outside: BoolArray) -> float:
    """The failure rate outside the found elements, kept off 0 and 1 by half a failure."""
    return (float(failed[outside].sum()) + 0.5) / (float(total[outside].sum()) + 1.0)


def scan_causes(
    codes: IntArray, failed: FloatArray, total: FloatArray, options: ScanOptions = ScanOptions()
) -> tuple[list[ScanCause], float]:
    """The elements that fail at a rate of their own, best first, and the normal rate."""
    remaining = np.ones(codes.shape[0], dtype=bool)
    found: list[ScanCause] = []
    while len(found) < options.max_causes and remaining.any():
        best = _best_element(codes, failed, total, remaining, options.max_depth)
        if best is None:
            break
        cause, scanned = best
        critical = float(chi2.isf(options.alpha / max(scanned, 1), 1)) / 2
        if cause.log_likelihood_ratio <= critical:
            break
        found.append(cause)
        remaining &= ~cause.mask(codes)
    rate = normal_rate(failed, total, remaining) if remaining.any() else 0.0
    anomaly = float((failed - total * rate).sum())
    if anomaly <= 0:
        return [], rate
    causes = []
    left = np.ones(codes.shape[0], dtype=bool)
    for cause in found:  # each credited only with leaves no earlier element holds
        inside = cause.mask(codes) & left
        left &= ~inside
        power = float((failed[inside] - total[inside] * rate).sum()) / anomaly
        if power >= options.ep_threshold:
            causes.append(replace(cause, explanatory_power=power))
    return causes, rate


def _best_element(
    codes: IntArray,
    failed: FloatArray,
    total: FloatArray,
    remaining: BoolArray,
    max_depth: int,
) -> tuple[ScanCause, int] | None:
    """The element of the remaining leaves with the largest G, and how many were scanned."""
    index = np.flatnonzero(remaining)
    sub_codes = codes[index]
    sub_failed, sub_total = failed[index], total[index]
    all_failed, all_total = float(sub_failed.sum()), float(sub_total.sum())
    width = sub_codes.shape[1]
    best: ScanCause | None = None
    scanned = 0
    for layer in range(1, min(max_depth, width) + 1):
        for cuboid in combinations(range(width), layer):
            first, group, groups = group_keys(sub_codes, cuboid)
            k = np.bincount(group, sub_failed, groups).astype(np.float64)
            n = np.bincount(group, sub_total, groups).astype(np.float64)
            scanned += groups
            g = log_likelihood_ratio(k, n, all_failed, all_total)
            winner = int(np.argmax(g))
            # Strictly better only: on a tie the fewer dimensions (found first) stay.
            floor = 0.0 if best is None else best.log_likelihood_ratio * (1 + 1e-9)
            if g[winner] > floor:
                leaf = int(first[winner])
                best = ScanCause(
                    dimensions=cuboid,
                    codes=tuple(int(sub_codes[leaf, d]) for d in cuboid),
                    log_likelihood_ratio=float(g[winner]),
                    explanatory_power=0.0,
                )
    return (best, scanned) if best is not None else None


def _ll(failed: FloatArray, total: FloatArray) -> FloatArray:
    """The binomial log-likelihood at its own rate, k ln(k/n) + (n - k) ln(1 - k/n)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.divide(failed, total, out=np.zeros_like(failed), where=total > 0)
        hits = np.where(failed > 0, failed * np.log(np.where(failed > 0, rate, 1.0)), 0.0)
        missed = total - failed
        misses = np.where(missed > 0, missed * np.log(np.where(missed > 0, 1.0 - rate, 1.0)), 0.0)
    return np.asarray(hits + misses, dtype=np.float64)


def log_likelihood_ratio(
    failed: FloatArray, total: FloatArray, all_failed: float, all_total: float
) -> FloatArray:
    """G per element against the rest of `all_total` items (0 unless the element fails more)."""
    out_failed, out_total = all_failed - failed, all_total - total
    inside = np.divide(failed, total, out=np.zeros_like(failed), where=total > 0)
    outside = np.divide(out_failed, out_total, out=np.zeros_like(failed), where=out_total > 0)
    everything = _ll(np.array([all_failed]), np.array([all_total]))[0]
    g = _ll(failed, total) + _ll(out_failed, out_total) - everything
    return np.where((inside > outside) & (total > 0), np.maximum(g, 0.0), 0.0)
