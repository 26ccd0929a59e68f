"""Adtributor (Bhagwan et al., NSDI 2014): the single-dimension attribution it published.

Per dimension, each value's explanatory power (its share of the total change) and surprise
(its Jensen-Shannon term between the expected and actual distributions over the dimension's
values) are computed; values are taken in order of surprise, each explaining at least
`min_element_ep`, until together they explain `min_set_ep` of the change. The candidate sets
are ranked by their total surprise. It cannot name combinations across dimensions, which is
why the layered search is the default; it is kept as the published baseline and as a
per-dimension view of the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from nightcall.analysis.dimensions.attribution import js_surprise
from nightcall.analysis.dimensions.facts import DeviationTable


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionExplanation:
    """One dimension's candidate set: the values that explain the change, and its surprise."""

    dimension: str
    values: tuple[str, ...]
    explanatory_power: float
    surprise: float


def adtributor(
    table: DeviationTable,
    *,
    min_element_ep: float = 0.1,
    min_set_ep: float = 0.67,
    max_sets: int = 3,
) -> list[DimensionExplanation]:
    """The candidate sets of the dimensions that explain the change, most surprising first."""
    actual_total = sum(r.actual for r in table.rows)
    expected_total = sum(r.expected for r in table.rows)
    change = actual_total - expected_total
    if change == 0 or actual_total <= 0 or expected_total <= 0:
        return []
    sets: list[DimensionExplanation] = []
    for index, dimension in enumerate(table.dimensions):
        sums: dict[str, list[float]] = {}
        for row in table.rows:
            slot = sums.setdefault(row.values[index], [0.0, 0.0])
            slot[0] += row.actual
            slot[1] += row.expected
        scored = sorted(
            (
                (
                    js_surprise(expected / expected_total, actual / actual_total),
                    (actual - expected) / change,
                    value,
                )
                for value, (actual, expected) in sums.items()
            ),
            key=lambda t: (-t[0], t[2]),
        )
        chosen: list[str] = []
        power = surprise = 0.0
        for element_surprise, element_ep, value in scored:
            if element_ep <= min_element_ep:
                continue
            chosen.append(value)
            power += element_ep
            surprise += element_surprise
            if power > min_set_ep:
                sets.append(
                    DimensionExplanation(
                        dimension=dimension,
                        values=tuple(chosen),
                        explanatory_power=power,
                        surprise=surprise,
                    )
                )
                break
    sets.sort(key=lambda s: (-s.surprise, s.dimension))
    return sets[:max_sets]
