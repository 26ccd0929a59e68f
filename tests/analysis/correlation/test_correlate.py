"""Correlation, lags and change alignment on exactly known inputs."""

from __future__ import annotations

import math

from nightcall.analysis.correlation import align_changes, correlate, lagged_correlation
from nightcall.model import ChangeEvent, ChangeKind, Series, SeriesKey

T0 = 1_800_000_000 * 10**9
STEP = 60 * 10**9


def _series(name: str, values: list[float]) -> Series:
    return Series(
        key=SeriesKey.of(name),
        times_ns=tuple(T0 + i * STEP for i in range(len(values))),
        values=tuple(values),
    )


def test_a_series_that_follows_another_three_steps_later_has_lag_three() -> None:
    """The lagged cross-correlation finds that `first` leads by three steps."""
    wave = [math.sin(i / 3.0) + 0.3 * math.sin(i * 1.7) for i in range(60)]
    first = _series("cause", wave)
    second = _series("effect", [0.0, 0.0, 0.0, *wave[:-3]])
    lag, r = lagged_correlation(first, second) or (0, 0.0)
    assert lag == 3
    assert r > 0.99


def test_only_pairs_above_the_bar_are_returned() -> None:
    """Two series that move together pair up; an unrelated one does not."""
    a = [float(i % 7) for i in range(40)]
    pairs = correlate([_series("a", a), _series("b", [2 * v + 1 for v in a]),
                       _series("c", [float((i * 13) % 5) for i in range(40)])])  # fmt: skip
    assert [(p.first.name, p.second.name) for p in pairs] == [("a", "b")]


def test_a_deploy_just_before_the_onset_lines_up_and_an_old_one_does_not() -> None:
    """Changes from fifteen minutes before to three minutes after the onset align, nearest first."""
    onset = T0 + 3600 * 10**9
    changes = [
        ChangeEvent(kind=ChangeKind.DEPLOY, service="a", time_ns=onset - 120 * 10**9, detail=""),
        ChangeEvent(kind=ChangeKind.DEPLOY, service="a", time_ns=onset - 3000 * 10**9, detail=""),
        ChangeEvent(kind=ChangeKind.RESTART, service="b", time_ns=onset + 30 * 10**9, detail=""),
    ]
    aligned = align_changes(changes, onset)
    assert [a.change.service for a in aligned] == ["b", "a"]
    assert [a.lead_ns for a in align_changes(changes, onset, service="a")] == [120 * 10**9]
