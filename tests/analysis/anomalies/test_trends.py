"""Trends: a leak's slope and time to exhaustion; a step is not a trend."""

from __future__ import annotations

import numpy as np

from nightcall.analysis.anomalies import AnomalyConfig, detect_trends
from nightcall.model import Direction, FindingKind, SeriesKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, noise, whole


def test_ramp_slope_and_time_to_exhaustion() -> None:
    """Memory rising 0.02 %/min from 50 % reaches 100 % (100 - 62) / 0.02 min after the end."""
    values = noise(1, 600, level=50.0, sigma=0.5) + np.arange(600) * 0.02
    series = make(values, kind=SeriesKind.MEMORY, unit="%")
    [finding] = detect_trends(series, whole(series), AnomalyConfig())
    assert finding.kind == FindingKind.TREND
    assert finding.direction == Direction.UP
    slope = finding.evidence_value("slope_per_s")
    assert isinstance(slope, float)
    assert abs(slope * 60 - 0.02) < 0.002
    remaining = finding.evidence_value("time_to_exhaustion_s")
    assert isinstance(remaining, float)
    expected_s = (100.0 - (50.0 + 0.02 * 600)) / 0.02 * 60
    assert abs(remaining - expected_s) / expected_s < 0.1
    assert finding.evidence_value("limit") == 100.0


def test_leak_in_bytes_uses_the_series_limit() -> None:
    """A byte series with a limit projects to that limit."""
    values = 1e9 + np.arange(300) * 1e6 + noise(2, 300, level=0.0, sigma=1e5)
    series = make(values, kind=SeriesKind.MEMORY, unit="By", limit=2e9)
    [finding] = detect_trends(series, whole(series), AnomalyConfig())
    remaining = finding.evidence_value("time_to_exhaustion_s")
    assert isinstance(remaining, float)
    assert abs(remaining - (2e9 - 1.3e9) / 1e6 * 60) / remaining < 0.1


def test_late_leak_is_dated_to_its_start() -> None:
    """A slope that begins at sample 250 is dated near 250, not at the series start."""
    values = noise(3, 600, level=50.0, sigma=1.0)
    values[250:] += np.arange(350) * 0.03
    series = make(values, kind=SeriesKind.MEMORY, unit="%")
    [finding] = detect_trends(series, whole(series), AnomalyConfig())
    assert abs((finding.onset_ns - T0_NS) // STEP_NS - 250) <= 15


def test_step_is_not_a_trend() -> None:
    """A level shift is flat on each side, so it fails the steady-slope test."""
    values = noise(4, 600)
    values[300:] += 40.0
    series = make(values)
    assert detect_trends(series, whole(series), AnomalyConfig()) == []
