"""The layered search for root-cause combinations, after RiskLoc (Kalander, 2022).

Given leaves already split into an abnormal and a normal part (see `partition`), with a weight
per leaf, the search goes layer by layer (one dimension, then pairs, then triples). In each
layer and each cuboid (a set of dimensions) it groups the remaining leaves into elements (one
value per dimension of the cuboid) and keeps the element with the largest explanatory power
whose risk passes the threshold:

- explanatory power (EP): the element's share of the anomaly, sum(actual - expected) over its
  leaves divided by the same sum over the abnormal leaves (Adtributor's definition);
- high risk: the weighted share of abnormal leaves in the element,
  w_abnormal / (w_abnormal + w_normal + prior): a root cause holds (almost) only abnormal leaves;
- low risk (optional): the ripple-effect check. Rescaling each leaf's expected value by the
  element's actual/expected ratio should explain its leaves if the element is one cause; the
  mean deviation left after rescaling, relative to the mean deviation before, is subtracted.

The first layer with an accepted element wins (the simplest explanation first); its leaves are
removed and the search repeats until the abnormal leaves left explain less than
`ep_threshold` of the anomaly, or `max_causes` were found.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, kw_only=True)
class Leaves:
    """The leaves as arrays: value codes (leaf x dimension), measures and the partition.

    `excess` is the anomaly per leaf, signed so that the anomaly is positive (actual minus
    expected for a rise, expected minus actual for a drop).
    """

    codes: IntArray
    actual: FloatArray
    expected: FloatArray
    excess: FloatArray
    abnormal: BoolArray
    weight: FloatArray


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchOptions:
    """Thresholds of the search; the defaults are RiskLoc's."""

    risk_threshold: float = 0.5
    ep_threshold: float = 0.02
    max_depth: int = 3
    max_causes: int = 5
    risk_prior: float = 1.0
    ripple_check: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Cause:
    """One accepted element: its dimensions (indices), value codes and scores."""

    dimensions: tuple[int, ...]
    codes: tuple[int, ...]
    explanatory_power: float
    high_risk: float
    low_risk: float

    @property
    def risk(self) -> float:
        return self.high_risk - self.low_risk

    def mask(self, codes: IntArray) -> BoolArray:
        """Which leaves the element holds."""
        selected = np.ones(codes.shape[0], dtype=bool)
        for dimension, code in zip(self.dimensions, self.codes, strict=True):
            selected &= codes[:, dimension] == code
        return selected


def deviation_scores(actual: FloatArray, expected: FloatArray) -> FloatArray:
    """Squeeze's deviation score 2(f - v)/(f + v) per leaf, 0 where both are 0."""
    total = expected + actual
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, 2.0 * (expected - actual) / safe, 0.0)


def search_causes(leaves: Leaves, options: SearchOptions = SearchOptions()) -> list[Cause]:
    """The root-cause elements, in the order found (largest explanatory power first)."""
    anomaly = float(leaves.excess[leaves.abnormal].sum())
    if anomaly <= 0 or leaves.codes.shape[0] == 0:
        return []
    ep = leaves.excess / anomaly
    deviation = deviation_scores(leaves.actual, leaves.expected)
    remaining = np.ones(leaves.codes.shape[0], dtype=bool)
    causes: list[Cause] = []
    while len(causes) < options.max_causes:
        if float(ep[remaining & leaves.abnormal].sum()) < options.ep_threshold:
            break
        cause = _search_layers(leaves, ep, deviation, remaining, options)
        if cause is None:
            break
        causes.append(cause)
        remaining &= ~cause.mask(leaves.codes)
    return causes


def _search_layers(
    leaves: Leaves,
    ep: FloatArray,
    deviation: FloatArray,
    remaining: BoolArray,
    options: SearchOptions,
) -> Cause | None:
    index = np.flatnonzero(remaining)
    codes = leaves.codes[index]
    width = codes.shape[1]
    sub = _Subset(
        ep=ep[index],
        abnormal=leaves.abnormal[index],
        weight=leaves.weight[index],
        actual=leaves.actual[index],
        expected=leaves.expected[index],
        deviation=np.abs(deviation[index]),
    )
    for layer in range(1, min(options.max_depth, width) + 1):
        best: Cause | None = None
        best_ep = options.ep_threshold
        for cuboid in combinations(range(width), layer):
            found = _best_in_cuboid(codes, cuboid, sub, best_ep, options)
            if found is not None:
                best, best_ep = found, found.explanatory_power
        if best is not None:
            return best
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class _Subset:
    ep: FloatArray
    abnormal: BoolArray
    weight: FloatArray
    actual: FloatArray
    expected: FloatArray
    deviation: FloatArray


def group_keys(codes: IntArray, cuboid: tuple[int, ...]) -> tuple[IntArray, IntArray, int]:
    """The elements of a cuboid over these leaves: each element's first leaf, each leaf's
    element, and how many elements there are."""
    cardinality = codes[:, cuboid].max(axis=0) + 1
    if float(np.prod(cardinality.astype(np.float64))) < 2.0**62:
        key = np.zeros(codes.shape[0], dtype=np.int64)
        for dimension, size in zip(cuboid, cardinality, strict=True):
            key = key * int(size) + codes[:, dimension]
        _, first, group = np.unique(key, return_index=True, return_inverse=True)
    else:
        _, first, group = np.unique(codes[:, cuboid], axis=0, return_index=True,
                                    return_inverse=True)  # fmt: skip
    return first, group.reshape(-1), len(first)


def _best_in_cuboid(
    codes: IntArray,
    cuboid: tuple[int, ...],
    sub: _Subset,
    floor_ep: float,
    options: SearchOptions,
) -> Cause | None:
    first, group, groups = group_keys(codes, cuboid)
    ep = np.bincount(group, sub.ep, groups)
    abnormal_leaves = np.bincount(group, sub.abnormal, groups)
    candidate = (abnormal_leaves > 0) & (ep > floor_ep)
    if not candidate.any():
        return None
    w_abnormal = np.bincount(group, sub.weight * sub.abnormal, groups)
    w_normal = np.bincount(group, sub.weight * ~sub.abnormal, groups)
    high = w_abnormal / (w_abnormal + w_normal + options.risk_prior)
    low = _low_risk(group, groups, sub) if options.ripple_check else np.zeros(groups)
    accepted = candidate & (high - low >= options.risk_threshold)
    if not accepted.any():
        return None
    winner = int(np.argmax(np.where(accepted, ep, -np.inf)))
    leaf = int(first[winner])
    return Cause(
        dimensions=cuboid,
        codes=tuple(int(codes[leaf, d]) for d in cuboid),
        explanatory_power=float(ep[winner]),
        high_risk=float(high[winner]),
        low_risk=float(low[winner]),
    )


def _low_risk(group: IntArray, groups: int, sub: _Subset) -> FloatArray:
    """RiskLoc's ripple-effect term per element, over leaves with both values non-zero."""
    both = (sub.actual != 0) & (sub.expected != 0)
    counted = np.bincount(group, both, groups)
    actual_sum = np.bincount(group, sub.actual * both, groups)
    expected_sum = np.bincount(group, sub.expected * both, groups)
    ratio = np.divide(actual_sum, expected_sum, out=np.zeros(groups), where=expected_sum > 0)
    rescaled = sub.expected * ratio[group]
    total = rescaled + sub.actual
    left = np.divide(2.0 * np.abs(rescaled - sub.actual), total, out=np.zeros_like(total),
                     where=total > 0)  # fmt: skip
    w1 = np.bincount(group, left * both, groups)
    w2 = np.bincount(group, sub.deviation * both, groups)
    usable = (counted > 0) & (w2 > 0)
    return np.divide(w1, w2, out=np.zeros(groups), where=usable)
