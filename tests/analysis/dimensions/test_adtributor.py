"""Adtributor, the published single-dimension baseline: the surprising dimension's values."""

from __future__ import annotations

from nightcall.analysis.dimensions import DeviationRow, DeviationTable, adtributor


def test_the_dimension_whose_values_moved_is_named_with_them() -> None:
    """A drop concentrated in two regions names the region dimension and those two values."""
    rows = []
    for region in ("eu", "us", "ap", "sa"):
        for browser in ("chrome", "safari"):
            actual = 20.0 if region in ("eu", "us") else 100.0
            rows.append(DeviationRow(values=(region, browser), actual=actual, expected=100.0))
    table = DeviationTable(dimensions=("region", "browser"), rows=tuple(rows))
    best = adtributor(table)[0]
    assert best.dimension == "region"
    assert sorted(best.values) == ["eu", "us"]
    assert best.explanatory_power == 1.0


def test_no_change_explains_nothing() -> None:
    """With actual equal to expected everywhere there is nothing to attribute."""
    rows = (DeviationRow(values=("a",), actual=5.0, expected=5.0),)
    assert adtributor(DeviationTable(dimensions=("d",), rows=rows)) == []
