"""Which attribute values, and which combinations of them, explain a population's failures.

`attribute_failures` answers it for counts (crashes among sessions, error spans among spans,
error events now against before) with the likelihood-ratio scan (`scan`);
`attribute_deviations` for a measure against its forecast, as in the Squeeze/RiskLoc
benchmarks, with RiskLoc's partition and layered search (`partition`, `search`). Both first
prune the table (`prune_dimensions`), and describe each combination found with the numbers a
person checks it by:

- `explanatory_power`: its share of the anomaly (failures above the normal rate, or actual
  minus expected);
- `failure_share` / `population_share`: its share of the failures, and of the population
  (Adtributor's actual and expected distributions);
- `surprise`: that pair's Jensen-Shannon term (Adtributor's surprise);
- `failure_rate` inside and outside it, and their ratio `lift`;
- the search's own evidence: `log_likelihood_ratio` (counts) or `risk` (deviations);
- `score`, which orders the results: the explanatory power (times the risk for deviations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nightcall.analysis.dimensions.facts import CountTable, DeviationTable, prune_dimensions
from nightcall.analysis.dimensions.partition import deviation_partition
from nightcall.analysis.dimensions.scan import ScanOptions, scan_causes
from nightcall.analysis.dimensions.search import (
    BoolArray,
    FloatArray,
    IntArray,
    Leaves,
    SearchOptions,
    search_causes,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Attribution:
    """One combination of attribute values that explains part of the failures.

    A combination that overlaps one found before it is described by its items that the
    earlier one does not hold, and its summary starts "Besides <the earlier one>: ".

    For a deviation table, `count` and `total` are the actual and expected sums inside it,
    and the failure rates are the actual/expected ratios inside and outside it. For a count
    table compared with a baseline, `population_share` is its share of the baseline's items
    and the failure rates are the shares of its items that fall in the window.
    """

    combination: tuple[tuple[str, str], ...]
    explanatory_power: float
    failure_share: float
    population_share: float
    surprise: float
    failure_rate: float
    failure_rate_outside: float
    lift: float | None
    count: float
    total: float
    log_likelihood_ratio: float | None
    risk: float | None
    score: float
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AttributionOptions:
    """Limits and thresholds; `None` takes the method's default.

    `alpha` is the scan's significance level (count tables), Bonferroni-corrected for the
    combinations scanned; `risk_threshold` is RiskLoc's (deviation tables, 0.5);
    `ep_threshold` the smallest share of the anomaly worth naming (0.05 for counts, RiskLoc's
    0.02 for deviations); `cutoff` where deviation tables split normal from abnormal leaves
    ("robust", or "riskloc" as published: see `partition`).
    """

    max_depth: int = 3
    max_results: int = 5
    alpha: float = 0.01
    risk_threshold: float | None = None
    ep_threshold: float | None = None
    cutoff: Literal["robust", "riskloc"] = "robust"


def attribute_failures(
    table: CountTable, options: AttributionOptions = AttributionOptions()
) -> list[Attribution]:
    """The combinations that explain the failures of a count table, best first.

    An empty list means no combination fails significantly more often than the rest: the
    failures are spread like the population, and no dimension explains them.
    """
    table = prune_dimensions(table)
    codes, labels = _encode([r.values for r in table.rows], len(table.dimensions))
    failed = np.array([r.failed for r in table.rows], dtype=np.float64)
    total = np.array([r.total for r in table.rows], dtype=np.float64)
    scan = ScanOptions(
        alpha=options.alpha,
        ep_threshold=0.05 if options.ep_threshold is None else options.ep_threshold,
        max_depth=options.max_depth,
        max_causes=options.max_results,
    )
    causes, _ = scan_causes(codes, failed, total, scan)
    reference = total - failed if table.comparison == "baseline" else total
    found = []
    held = _Held(codes)
    for cause in causes:
        combination = _combination(cause.dimensions, cause.codes, table.dimensions, labels)
        inside, outside, besides = held.take(cause.mask(codes), combination)
        numbers = _Numbers.of(inside, outside, failed, reference, total)
        found.append(
            numbers.attribution(
                combination,
                besides + _count_summary(table, combination, numbers, other=bool(besides)),
                explanatory_power=cause.explanatory_power,
                risk=None,
                log_likelihood_ratio=cause.log_likelihood_ratio,
            )
        )
    return sorted(found, key=lambda a: -a.score)


def attribute_deviations(
    table: DeviationTable, options: AttributionOptions = AttributionOptions()
) -> list[Attribution]:
    """The combinations that explain how a measure's actual values left their forecast."""
    table = prune_dimensions(table)
    codes, labels = _encode([r.values for r in table.rows], len(table.dimensions))
    actual = np.array([r.actual for r in table.rows], dtype=np.float64)
    expected = np.array([r.expected for r in table.rows], dtype=np.float64)
    spread = None if options.cutoff == "riskloc" else 1.5
    partition = deviation_partition(actual, expected, spread=spread)
    search = SearchOptions(
        risk_threshold=0.5 if options.risk_threshold is None else options.risk_threshold,
        ep_threshold=0.02 if options.ep_threshold is None else options.ep_threshold,
        max_depth=options.max_depth,
        max_causes=options.max_results,
    )
    leaves = Leaves(
        codes=codes,
        actual=actual,
        expected=expected,
        excess=partition.excess,
        abnormal=partition.abnormal,
        weight=partition.weight,
    )
    found = []
    held = _Held(codes)
    for cause in search_causes(leaves, search):
        combination = _combination(cause.dimensions, cause.codes, table.dimensions, labels)
        inside, outside, besides = held.take(cause.mask(codes), combination)
        numbers = _Numbers.of(inside, outside, actual, expected, expected)
        summary = besides + (
            f"{_describe(combination)} explains {_pct(cause.explanatory_power)} of the change "
            f"in {table.measure_noun} ({numbers.failed_in:.4g} against "
            f"{numbers.total_in:.4g} expected)"
        )
        found.append(
            numbers.attribution(
                combination,
                summary,
                explanatory_power=cause.explanatory_power,
                risk=cause.risk,
                log_likelihood_ratio=None,
            )
        )
    return sorted(found, key=lambda a: -a.score)


class _Held:
    """The leaves earlier combinations hold. A later one that overlaps them is described by
    its other leaves only, and its summary says besides which one."""

    def __init__(self, codes: IntArray):
        self.mask = np.zeros(codes.shape[0], dtype=bool)
        self.earlier: list[tuple[BoolArray, tuple[tuple[str, str], ...]]] = []

    def take(
        self, mask: BoolArray, combination: tuple[tuple[str, str], ...]
    ) -> tuple[BoolArray, BoolArray, str]:
        """The leaves to describe the combination by, the leaves to compare them with, and
        the summary's opening."""
        overlapped = [c for m, c in self.earlier if (m & mask).any()]
        held_before = self.mask.copy()
        self.mask |= mask
        self.earlier.append((mask, combination))
        if not overlapped:
            return mask, ~mask, ""
        besides = "Besides " + " and ".join(_describe(c) for c in overlapped) + ": "
        return mask & ~held_before, ~mask & ~held_before, besides


def _encode(rows: Sequence[tuple[str, ...]], width: int) -> tuple[IntArray, list[list[str]]]:
    """Value codes per dimension in order of first appearance, and the values per code."""
    labels: list[list[str]] = [[] for _ in range(width)]
    lookup: list[dict[str, int]] = [{} for _ in range(width)]
    codes = np.zeros((len(rows), width), dtype=np.int64)
    for i, values in enumerate(rows):
        for d, value in enumerate(values):
            code = lookup[d].get(value)
            if code is None:
                code = lookup[d][value] = len(labels[d])
                labels[d].append(value)
            codes[i, d] = code
    return codes, labels


def _combination(
    dimensions: tuple[int, ...],
    codes: tuple[int, ...],
    names: tuple[str, ...],
    labels: list[list[str]],
) -> tuple[tuple[str, str], ...]:
    pairs = ((names[d], labels[d][c]) for d, c in zip(dimensions, codes, strict=True))
    return tuple(sorted(pairs))


@dataclass(frozen=True, slots=True, kw_only=True)
class _Numbers:
    """An element's sums inside and outside it."""

    failed_in: float
    failed_out: float
    reference_in: float
    reference_out: float
    total_in: float
    total_out: float

    @classmethod
    def of(
        cls,
        inside: BoolArray,
        outside: BoolArray,
        failed: FloatArray,
        reference: FloatArray,
        total: FloatArray,
    ) -> _Numbers:
        return cls(
            failed_in=float(failed[inside].sum()),
            failed_out=float(failed[outside].sum()),
            reference_in=float(reference[inside].sum()),
            reference_out=float(reference[outside].sum()),
            total_in=float(total[inside].sum()),
            total_out=float(total[outside].sum()),
        )

    def attribution(
        self,
        combination: tuple[tuple[str, str], ...],
        summary: str,
        *,
        explanatory_power: float,
        risk: float | None,
        log_likelihood_ratio: float | None,
    ) -> Attribution:
        failure_share = _ratio(self.failed_in, self.failed_in + self.failed_out)
        population_share = _ratio(self.reference_in, self.reference_in + self.reference_out)
        rate_in = _ratio(self.failed_in, self.total_in)
        rate_out = _ratio(self.failed_out, self.total_out)
        score = min(1.0, max(0.0, explanatory_power))
        if risk is not None:
            score *= max(0.0, min(1.0, risk))
        return Attribution(
            combination=combination,
            explanatory_power=explanatory_power,
            failure_share=failure_share,
            population_share=population_share,
            surprise=js_surprise(population_share, failure_share),
            failure_rate=rate_in,
            failure_rate_outside=rate_out,
            lift=rate_in / rate_out if rate_out > 0 else None,
            count=self.failed_in,
            total=self.total_in,
            log_likelihood_ratio=log_likelihood_ratio,
            risk=risk,
            score=score,
            summary=summary,
        )


def js_surprise(expected_share: float, actual_share: float) -> float:
    """Adtributor's surprise of one element: its term of the Jensen-Shannon divergence
    between the expected (`p`) and actual (`q`) distributions."""
    p, q = expected_share, actual_share
    mean = (p + q) / 2
    terms = (x * math.log(x / mean) for x in (p, q) if x > 0)
    return 0.5 * sum(terms)


def _count_summary(
    table: CountTable,
    combination: tuple[tuple[str, str], ...],
    numbers: _Numbers,
    *,
    other: bool,
) -> str:
    where = _describe(combination)
    share = _ratio(numbers.failed_in, numbers.failed_in + numbers.failed_out)
    population = _ratio(numbers.reference_in, numbers.reference_in + numbers.reference_out)
    the = "the other " if other else ""
    if table.comparison == "baseline":
        return (
            f"{_pct(share)} of {the}{table.failed_noun} in the window are on {where} "
            f"({_pct(population)} of {the}{table.population_noun} before it)"
        )
    rate_in = _ratio(numbers.failed_in, numbers.total_in)
    rate_out = _ratio(numbers.failed_out, numbers.total_out)
    return (
        f"{_pct(share)} of {the}{table.failed_noun} are on {where} "
        f"({_pct(population)} of {the}{table.population_noun}); the rate there is "
        f"{_pct(rate_in)} against {_pct(rate_out)} elsewhere"
    )


def _describe(combination: tuple[tuple[str, str], ...]) -> str:
    return " with ".join(f"{key}={value}" for key, value in combination)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole > 0 else 0.0


def _pct(share: float) -> str:
    percent = 100.0 * share
    if percent >= 10 or percent == 0:
        return f"{percent:.0f}%"
    return f"{percent:.1f}%"
