"""Attribution on small exact tables: single culprits, combinations, two at once, none."""

from __future__ import annotations

import pytest

from nightcall.analysis.dimensions import (
    AttributionOptions,
    CountRow,
    CountTable,
    DeviationRow,
    DeviationTable,
    attribute_deviations,
    attribute_failures,
    js_surprise,
)

DEVICES = ("A", "B", "C", "D")
OSES = ("1", "2", "3")


def crash_table(failed: dict[tuple[str, str], int], *, default: int = 5) -> CountTable:
    """Sessions per device and OS, 500 each, with `default` crashes unless `failed` says."""
    rows = tuple(
        CountRow(values=(d, o), failed=failed.get((d, o), default), total=500)
        for d in DEVICES
        for o in OSES
    )
    return CountTable(
        dimensions=("device.model", "os.version"),
        rows=rows,
        failed_noun="crashes",
        population_noun="sessions",
    )


def test_a_single_dimension_culprit_is_named_with_its_numbers() -> None:
    """A device crashing on every OS version is named alone, with its shares and rates."""
    table = crash_table({("A", o): 100 for o in OSES})
    (found,) = attribute_failures(table)
    assert found.combination == (("device.model", "A"),)
    assert found.count == 300
    assert found.total == 1500
    assert found.failure_share == pytest.approx(300 / 345)
    assert found.population_share == pytest.approx(0.25)
    assert found.failure_rate == pytest.approx(0.2)
    assert found.failure_rate_outside == pytest.approx(0.01)
    assert found.lift == pytest.approx(20.0)
    assert found.explanatory_power == pytest.approx(1.0, abs=0.01)
    assert found.surprise == pytest.approx(js_surprise(0.25, 300 / 345))
    assert found.log_likelihood_ratio is not None
    assert found.log_likelihood_ratio > 100
    assert found.risk is None
    assert found.summary == (
        "87% of crashes are on device.model=A (25% of sessions); the rate there is 20% "
        "against 1.0% elsewhere"
    )


def test_a_two_dimension_combination_is_named_neither_coarser_nor_finer() -> None:
    """Crashes on one device and OS version name both, not the device or the OS alone."""
    (found,) = attribute_failures(crash_table({("B", "2"): 150}))
    assert found.combination == (("device.model", "B"), ("os.version", "2"))
    assert found.failure_rate == pytest.approx(0.3)


def test_two_simultaneous_culprits_are_both_found_best_first() -> None:
    """A crashing device and, elsewhere, one crashing device and OS pair are both named."""
    table = crash_table({**{("A", o): 100 for o in OSES}, ("C", "3"): 120})
    found = attribute_failures(table)
    assert [f.combination for f in found] == [
        (("device.model", "A"),),
        (("device.model", "C"), ("os.version", "3")),
    ]
    assert found[0].score > found[1].score > 0


def test_a_combination_overlapping_an_earlier_one_is_described_by_the_rest() -> None:
    """A milder OS-wide rise found after one device's crashes on it counts the other sessions."""
    table = crash_table({("B", "2"): 250, ("A", "2"): 25, ("C", "2"): 25, ("D", "2"): 25})
    first, second = attribute_failures(table)
    assert first.combination == (("device.model", "B"), ("os.version", "2"))
    assert second.combination == (("os.version", "2"),)
    assert (second.count, second.total) == (75, 1500)
    assert second.failure_rate_outside == pytest.approx(40 / 4000)
    assert second.summary == (
        "Besides device.model=B with os.version=2: 65% of the other crashes are on "
        "os.version=2 (27% of the other sessions); the rate there is 5.0% against 1.0% "
        "elsewhere"
    )


def test_an_empty_table_explains_nothing() -> None:
    """No rows, no combinations, for either kind of table."""
    assert attribute_failures(CountTable(dimensions=("a",), rows=())) == []
    assert attribute_deviations(DeviationTable(dimensions=("a",), rows=())) == []


def test_failures_spread_like_the_population_name_nothing() -> None:
    """When every leaf fails at the same rate, no combination explains the failures."""
    assert attribute_failures(crash_table({})) == []


def test_a_window_against_its_baseline_is_worded_as_such() -> None:
    """A baseline comparison says how much of the window is on the combination, and before."""
    rows = (
        CountRow(values=("A",), failed=40, total=42),
        CountRow(values=("B",), failed=2, total=22),
        CountRow(values=("C",), failed=3, total=33),
    )
    table = CountTable(
        dimensions=("device.model",),
        rows=rows,
        comparison="baseline",
        failed_noun="crashes",
        population_noun="crashes",
    )
    (found,) = attribute_failures(table)
    assert found.combination == (("device.model", "A"),)
    assert found.population_share == pytest.approx(2 / 52)
    assert found.summary == (
        "89% of crashes in the window are on device.model=A (3.8% of crashes before it)"
    )


def test_options_limit_the_depth_searched() -> None:
    """With `max_depth=1`, a two-dimension culprit can only be named by one of its values."""
    found = attribute_failures(crash_table({("B", "2"): 150}), AttributionOptions(max_depth=1))
    assert all(len(f.combination) == 1 for f in found)


def kpi_table(changed: dict[tuple[str, str], float]) -> DeviationTable:
    """A measure over 4 x 4 x 2 leaves, forecast 100 each, actual within 2% of it unless
    `changed` sets the actual of every leaf under an (a, b) pair."""
    rows = []
    for i, a in enumerate(("a1", "a2", "a3", "a4")):
        for j, b in enumerate(("b1", "b2", "b3", "b4")):
            for k, c in enumerate(("c1", "c2")):
                noise = ((i * 8 + j * 2 + k) % 5 - 2) / 100  # -2% .. +2%, deterministic
                actual = changed.get((a, b), 100 * (1 + noise))
                rows.append(DeviationRow(values=(a, b, c), actual=actual, expected=100.0))
    return DeviationTable(dimensions=("a", "b", "c"), rows=tuple(rows), measure_noun="orders")


def test_a_forecast_deviation_is_localized_to_its_combination() -> None:
    """A drop under one (a, b) pair is named by both values, with RiskLoc's risk."""
    (found,) = attribute_deviations(kpi_table({("a2", "b3"): 40.0}))
    assert found.combination == (("a", "a2"), ("b", "b3"))
    assert found.risk is not None
    assert found.risk >= 0.5
    assert found.count == 80.0
    assert found.total == 200.0
    assert found.failure_rate == pytest.approx(0.4)
    assert found.summary.startswith("a=a2 with b=b3 explains")


def test_a_deviation_across_a_whole_value_names_that_value() -> None:
    """Every leaf of one value rising by half names the value alone."""
    changed = {("a3", b): 150.0 for b in ("b1", "b2", "b3", "b4")}
    found = attribute_deviations(kpi_table(changed))
    assert [f.combination for f in found] == [(("a", "a3"),)]


def test_surprise_is_the_jensen_shannon_term() -> None:
    """The surprise of equal shares is 0, and it grows as the shares part."""
    assert js_surprise(0.3, 0.3) == 0.0
    assert js_surprise(0.1, 0.9) > js_surprise(0.1, 0.5) > 0
    assert js_surprise(0.0, 1.0) == pytest.approx(0.5 * 1.0 * 0.6931471805599453)
