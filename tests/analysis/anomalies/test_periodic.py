"""Periodic bursts: period within 10% despite jitter, phase reported, marked recurring."""

from __future__ import annotations

import numpy as np
import pytest

from nightcall.analysis.anomalies import AnomalyConfig, detect_periodic
from nightcall.model import FindingKind, SeriesKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, noise, whole


def bursts(seed: int, n: int, period: int, jitter: int, first: int = 7) -> np.ndarray:
    """CPU at 20 % with 3-minute bursts to 50 % every `period` minutes, onsets jittered."""
    rng = np.random.default_rng(seed)
    values = noise(seed, n, level=20.0, sigma=1.0)
    onset = first
    while onset < n - 3:
        values[onset : onset + 3] += 30.0
        onset += period + int(rng.integers(-jitter, jitter + 1))
    return values


@pytest.mark.parametrize(("period", "jitter"), [(15, 1), (10, 1), (30, 3)])
@pytest.mark.parametrize("seed", [1, 2])
def test_period_found_within_ten_percent(period: int, jitter: int, seed: int) -> None:
    """Bursts every N minutes with ±10% jitter give a period within 10% of N."""
    series = make(bursts(seed, 720, period, jitter), kind=SeriesKind.UTILIZATION, unit="%")
    [finding] = detect_periodic(series, whole(series), AnomalyConfig())
    assert finding.kind == FindingKind.PERIODIC
    assert finding.is_recurring
    found = finding.evidence_value("period_s")
    assert isinstance(found, float)
    assert abs(found - period * 60) <= 0.1 * period * 60


def test_phase_is_the_offset_of_onsets_in_the_period() -> None:
    """Exact bursts every 10 minutes starting at minute 3 have a phase of 180 s."""
    series = make(bursts(3, 600, 10, 0, first=3), kind=SeriesKind.UTILIZATION, unit="%")
    [finding] = detect_periodic(series, whole(series), AnomalyConfig())
    assert finding.evidence_value("period_s") == pytest.approx(600.0, abs=1.0)
    assert finding.evidence_value("phase_s") == pytest.approx(180.0, abs=5.0)
    assert (finding.onset_ns - T0_NS) // STEP_NS == 3


def test_irregular_bursts_are_not_periodic() -> None:
    """Bursts at random gaps (5 to 60 minutes) have no stable period."""
    rng = np.random.default_rng(7)
    values = noise(7, 720, level=20.0, sigma=1.0)
    onset = 5
    while onset < 715:
        values[onset : onset + 3] += 30.0
        onset += int(rng.integers(5, 60))
    series = make(values, kind=SeriesKind.UTILIZATION, unit="%")
    assert detect_periodic(series, whole(series), AnomalyConfig()) == []
