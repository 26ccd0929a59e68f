"""Fact tables: validation, and pruning of dimensions no combination can use."""

from __future__ import annotations

import pytest

from nightcall.analysis.dimensions import (
    CountRow,
    CountTable,
    DeviationRow,
    DeviationTable,
    prune_dimensions,
)
from nightcall.errors import BadRequest


def test_constant_and_repeated_dimensions_are_pruned_and_rows_merged() -> None:
    """A one-value dimension and one that splits the rows like an earlier one are dropped."""
    table = CountTable(
        dimensions=("app.version", "release", "environment", "device.model"),
        rows=(
            CountRow(values=("1.0", "app@1.0", "prod", "A"), failed=1, total=10),
            CountRow(values=("1.0", "app@1.0", "prod", "B"), failed=2, total=20),
            CountRow(values=("2.0", "app@2.0", "prod", "A"), failed=3, total=30),
        ),
    )
    pruned = prune_dimensions(table)
    assert pruned.dimensions == ("app.version", "device.model")
    assert [(r.values, r.failed, r.total) for r in pruned.rows] == [
        (("1.0", "A"), 1, 10),
        (("1.0", "B"), 2, 20),
        (("2.0", "A"), 3, 30),
    ]


def test_pruning_merges_rows_that_only_differed_in_a_dropped_dimension() -> None:
    """Deviation rows that differ only in a constant dimension's value become one row."""
    table = DeviationTable(
        dimensions=("region", "host"),
        rows=(
            DeviationRow(values=("eu", "h1"), actual=1.0, expected=2.0),
            DeviationRow(values=("eu", "h1"), actual=3.0, expected=4.0),
            DeviationRow(values=("eu", "h2"), actual=5.0, expected=6.0),
        ),
    )
    pruned = prune_dimensions(table)
    assert pruned.dimensions == ("host",)
    assert {r.values: (r.actual, r.expected) for r in pruned.rows} == {
        ("h1",): (4.0, 6.0),
        ("h2",): (5.0, 6.0),
    }


def test_a_row_with_the_wrong_number_of_values_is_refused() -> None:
    """The error names the row and the dimensions it should match."""
    with pytest.raises(BadRequest, match=r"a row has 1 values \('A',\) for 2 dimensions"):
        CountTable(dimensions=("a", "b"), rows=(CountRow(values=("A",), failed=0, total=1),))


def test_more_failures_than_items_is_refused() -> None:
    """Failed counts a part of total."""
    with pytest.raises(BadRequest, match="failed=3 and total=2"):
        CountTable(dimensions=("a",), rows=(CountRow(values=("A",), failed=3, total=2),))
