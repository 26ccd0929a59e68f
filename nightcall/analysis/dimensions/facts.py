"""Fact tables: leaves of a population, one value per dimension, with their measures.

Two shapes, one per kind of question:

- `CountTable`: counts of items that failed among items (crashes among sessions, error spans
  among spans). With `comparison="baseline"` the same shape compares two windows instead:
  `failed` counts the items in the window under study and `total - failed` the items in a
  baseline window before it (error events now against error events before).
- `DeviationTable`: a measure's actual value against its expected (forecast) value per leaf,
  as the Squeeze and RiskLoc benchmarks pose it.

`prune_dimensions` drops the dimensions no combination can use: those with one value, and
those that split the leaves exactly as an earlier dimension does (`Release` and `AppVersion`,
a pod name and its instance id), so a root cause is named once, by the first of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, TypeVar

from nightcall.errors import BadRequest

Comparison = Literal["rate", "baseline"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CountRow:
    """One leaf of a count table: its value per dimension, failed items and all items."""

    values: tuple[str, ...]
    failed: float
    total: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviationRow:
    """One leaf of a deviation table: its value per dimension, actual and expected values."""

    values: tuple[str, ...]
    actual: float
    expected: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CountTable:
    """Failed items among all items per leaf (`comparison="rate"`), or items in a window
    (`failed`) against the same window plus a baseline (`total`) (`comparison="baseline"`).

    The nouns only word the summaries: "92% of crashes are on ... (3% of sessions)".
    """

    dimensions: tuple[str, ...]
    rows: tuple[CountRow, ...]
    comparison: Comparison = "rate"
    failed_noun: str = "failures"
    population_noun: str = "items"

    def __post_init__(self) -> None:
        _check_width(self.dimensions, [r.values for r in self.rows])
        for row in self.rows:
            if not 0 <= row.failed <= row.total:
                raise BadRequest(
                    f"a row has failed={row.failed:g} and total={row.total:g} at {row.values}",
                    location="rows",
                    hint="failed counts a part of total: 0 <= failed <= total",
                )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviationTable:
    """Actual against expected values per leaf; the anomaly is their difference."""

    dimensions: tuple[str, ...]
    rows: tuple[DeviationRow, ...]
    measure_noun: str = "the measure"

    def __post_init__(self) -> None:
        _check_width(self.dimensions, [r.values for r in self.rows])
        for row in self.rows:
            if row.actual < 0 or row.expected < 0:
                raise BadRequest(
                    f"a row has actual={row.actual:g} and expected={row.expected:g} "
                    f"at {row.values}",
                    location="rows",
                    hint="deviation tables hold non-negative measures (counts, sums)",
                )


def _check_width(dimensions: tuple[str, ...], values: list[tuple[str, ...]]) -> None:
    if len(set(dimensions)) != len(dimensions):
        raise BadRequest(
            f"dimension names repeat: {list(dimensions)}",
            location="dimensions",
            hint="name each dimension once",
        )
    for row_values in values:
        if len(row_values) != len(dimensions):
            raise BadRequest(
                f"a row has {len(row_values)} values {row_values} for "
                f"{len(dimensions)} dimensions {list(dimensions)}",
                location="rows",
                hint="give every row one value per dimension, in the dimensions' order",
            )


AnyTable = TypeVar("AnyTable", CountTable, DeviationTable)


def prune_dimensions(table: AnyTable) -> AnyTable:
    """The table without constant dimensions and without dimensions that repeat an earlier
    one's split of the leaves; rows that then share every value are merged."""
    values = [r.values for r in table.rows]
    keep: list[int] = []
    for index in range(len(table.dimensions)):
        column = [v[index] for v in values]
        if len(set(column)) <= 1:
            continue
        if any(_same_split(column, [v[k] for v in values]) for k in keep):
            continue
        keep.append(index)
    if len(keep) == len(table.dimensions):
        return table
    dimensions = tuple(table.dimensions[k] for k in keep)
    if isinstance(table, CountTable):
        counts: dict[tuple[str, ...], list[float]] = {}
        for row in table.rows:
            key = tuple(row.values[k] for k in keep)
            slot = counts.setdefault(key, [0.0, 0.0])
            slot[0] += row.failed
            slot[1] += row.total
        rows = tuple(CountRow(values=k, failed=f, total=t) for k, (f, t) in counts.items())
        return replace(table, dimensions=dimensions, rows=rows)
    sums: dict[tuple[str, ...], list[float]] = {}
    for drow in table.rows:
        key = tuple(drow.values[k] for k in keep)
        slot = sums.setdefault(key, [0.0, 0.0])
        slot[0] += drow.actual
        slot[1] += drow.expected
    drows = tuple(DeviationRow(values=k, actual=a, expected=e) for k, (a, e) in sums.items())
    return replace(table, dimensions=dimensions, rows=drows)


def _same_split(column: list[str], earlier: list[str]) -> bool:
    """Whether the two columns determine each other (a one-to-one map between their values)."""
    forward: dict[str, str] = {}
    backward: dict[str, str] = {}
    for a, b in zip(column, earlier, strict=True):
        if forward.setdefault(a, b) != b or backward.setdefault(b, a) != a:
            return False
    return True
