"""The detector seam and the guarantees every detector keeps: no raising, no noise findings."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nightcall.analysis.anomalies import (
    AnomalyConfig,
    builtin_detectors,
    detect_anomalies,
)
from nightcall.model import Direction, Finding, FindingKind, Series, SeriesKind
from nightcall.store.queries_traces import Window
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, noise, whole

KINDS = st.sampled_from(list(SeriesKind))


def test_a_user_detector_is_registered_like_the_builtins() -> None:
    """A plain callable added to the mapping runs, and its findings can vote in consensus."""

    def above_150(series: Series, window: Window, config: AnomalyConfig) -> list[Finding]:
        hits = [t for t, v in zip(series.times_ns, series.values, strict=True) if v > 150]
        if not hits:
            return []
        return [
            Finding(
                kind=FindingKind.THRESHOLD,
                series=series.key,
                detector="mine",
                onset_ns=hits[0],
                start_ns=hits[0],
                end_ns=hits[-1] + STEP_NS,
                score=1.0,
                direction=Direction.UP,
                summary="over 150",
            )
        ]

    values = noise(1, 240)
    values[200] = 400.0
    series = make(values)
    findings = detect_anomalies(
        series, whole(series), detectors=builtin_detectors() | {"mine": above_150}
    )
    [anomaly] = [f for f in findings if f.kind == FindingKind.ANOMALY]
    assert anomaly.voters == ("mine", "robust")
    assert (anomaly.onset_ns - T0_NS) // STEP_NS == 200


def test_too_short_series_give_no_findings() -> None:
    """Series of 0 to 11 points return no findings rather than raising."""
    for n in range(12):
        series = make([1000.0 * (i % 2) for i in range(n)], kind=SeriesKind.LATENCY, unit="ms")
        window = Window(start_ns=T0_NS, end_ns=T0_NS + max(n, 1) * STEP_NS)
        assert [f for f in detect_anomalies(series, window) if f.detector != "threshold"] == []


def test_empty_window_gives_no_findings() -> None:
    """A window after the last point has nothing to report."""
    values = noise(2, 120)
    values[60:] += 100
    series = make(values)
    later = Window(start_ns=T0_NS + 10**15, end_ns=T0_NS + 2 * 10**15)
    assert detect_anomalies(series, later) == []


def test_step_with_gaps_and_nans_is_still_found() -> None:
    """A step survives missing buckets and NaN values around it."""
    values = noise(3, 300)
    values[200:] += 60.0
    values[100:110] = math.nan
    kept = [(T0_NS + i * STEP_NS, float(v)) for i, v in enumerate(values) if not 150 <= i < 170]
    series = Series(
        key=make([]).key,
        times_ns=tuple(t for t, _ in kept),
        values=tuple(v for _, v in kept),
    )
    findings = detect_anomalies(series, whole(series))
    [anomaly] = [f for f in findings if f.kind == FindingKind.ANOMALY]
    assert abs((anomaly.onset_ns - T0_NS) // STEP_NS - 200) <= 1


def test_unsorted_and_duplicate_times_are_accepted() -> None:
    """Points out of order, or two in one bucket, are sorted and averaged."""
    series = Series(
        key=make([]).key,
        times_ns=(T0_NS + 2 * STEP_NS, T0_NS, T0_NS + STEP_NS, T0_NS + STEP_NS),
        values=(3.0, 1.0, 2.0, 4.0),
    )
    assert detect_anomalies(series, whole(series)) == []


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
        max_size=150,
    ),
    kind=KINDS,
    unit=st.sampled_from(["", "ms", "s", "1", "%", "By"]),
    method=st.sampled_from(["pelt", "bocpd"]),
)
def test_any_finite_series_never_raises(
    values: list[float], kind: SeriesKind, unit: str, method: str
) -> None:
    """Whatever finite values come in, every detector returns findings and never raises."""
    series = make(values, kind=kind, unit=unit)
    config = AnomalyConfig(changepoint_method="bocpd" if method == "bocpd" else "pelt")
    window = Window(start_ns=T0_NS, end_ns=T0_NS + (len(values) + 1) * STEP_NS)
    findings = detect_anomalies(series, window, config=config)
    assert all(isinstance(f, Finding) and math.isfinite(f.score) for f in findings)


@settings(max_examples=40, deadline=None)
@given(
    value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
    n=st.integers(min_value=0, max_value=400),
    kind=st.sampled_from([SeriesKind.GAUGE, SeriesKind.COUNTER_RATE, SeriesKind.LATENCY]),
)
def test_constant_series_never_produce_findings(value: float, n: int, kind: SeriesKind) -> None:
    """A series that never changes has nothing to report (below any threshold)."""
    series = make(np.full(n, min(value, 500.0)), kind=kind, unit="ms")
    assert detect_anomalies(series, whole(series) if n else Window(start_ns=0, end_ns=1)) == []
