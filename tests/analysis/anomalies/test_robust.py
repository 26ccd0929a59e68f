"""Robust deviation: spikes flagged, tiny effects ignored, seasonal history used."""

from __future__ import annotations

import math

import numpy as np

from nightcall.analysis.anomalies import AnomalyConfig, detect_deviations
from nightcall.model import Direction, FindingKind, SeriesKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, noise, whole
from tests.analysis.anomalies.test_seasonality import evening


def test_single_spike_is_flagged_with_its_numbers() -> None:
    """A spike of +80 on noise of 5 is one deviation, at its sample, with baseline and z."""
    values = noise(1, 240)
    values[100] += 80.0
    series = make(values, kind=SeriesKind.LATENCY, unit="ms")
    [finding] = detect_deviations(series, whole(series), AnomalyConfig())
    assert finding.kind == FindingKind.DEVIATION
    assert (finding.onset_ns - T0_NS) // STEP_NS == 100
    assert finding.direction == Direction.UP
    z = finding.evidence_value("robust_z")
    assert isinstance(z, float)
    assert z > 6
    assert finding.baseline is not None
    assert abs(finding.baseline - 100) < 3
    assert finding.evidence_value("baseline_method") == "rolling"


def test_small_absolute_effect_on_flat_series_is_ignored() -> None:
    """An error rate of 0.1 % moving to 0.3 % is many MADs but under the 1-point minimum effect."""
    values = 0.001 + noise(2, 240, level=0.0, sigma=0.00005)
    values[200:] = 0.003
    series = make(values, kind=SeriesKind.ERROR_RATE, unit="1")
    assert detect_deviations(series, whole(series), AnomalyConfig()) == []


def test_daily_pattern_is_expected_with_days_of_history() -> None:
    """With two days of history, the third evening's dip matches the same hours before it."""
    series = make(evening(1, 72), unit="1")
    last_day = type(whole(series))(start_ns=T0_NS + 48 * 60 * STEP_NS, end_ns=whole(series).end_ns)
    assert detect_deviations(series, last_day, AnomalyConfig()) == []
    findings = detect_deviations(series, last_day, AnomalyConfig(seasonal_cycles=0))
    assert findings, "without the seasonal baseline the dip looks like a deviation"


def test_gaps_and_nans_are_skipped() -> None:
    """Missing buckets and NaN values neither raise nor become findings."""
    values = noise(3, 300)
    values[50:80] = math.nan
    times = [T0_NS + i * STEP_NS for i in range(300) if not 120 <= i < 160]
    kept = [float(v) for i, v in enumerate(values) if not 120 <= i < 160]
    series = make(kept)
    series = type(series)(key=series.key, times_ns=tuple(times), values=tuple(kept))
    assert detect_deviations(series, whole(series), AnomalyConfig()) == []


def test_drop_is_direction_down() -> None:
    """A sudden fall in throughput is a DOWN deviation."""
    values = noise(4, 240, level=500.0, sigma=10.0)
    values[200:205] = 100.0
    series = make(values, kind=SeriesKind.COUNTER_RATE, unit="1/s")
    findings = detect_deviations(series, whole(series), AnomalyConfig())
    assert [f.direction for f in findings] == [Direction.DOWN]
    assert np.isclose(findings[0].observed or 0.0, 100.0)
