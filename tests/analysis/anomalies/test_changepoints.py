"""Change points: a step's onset, direction and size; a ramp is no step."""

from __future__ import annotations

import numpy as np
import pytest

from nightcall.analysis.anomalies import AnomalyConfig, detect_change_points
from nightcall.model import Direction, FindingKind, SeriesKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, noise, whole


@pytest.mark.parametrize("method", ["pelt", "bocpd"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_step_onset_direction_and_magnitude(method: str, seed: int) -> None:
    """A step of +40 ms at sample 150 is found within one sample, going up, by about 40 ms."""
    values = noise(seed, 240, level=100.0, sigma=5.0)
    values[150:] += 40.0
    series = make(values, kind=SeriesKind.LATENCY, unit="ms")
    config = AnomalyConfig(changepoint_method=method)  # type: ignore[arg-type]  # parametrized
    findings = detect_change_points(series, whole(series), config)
    assert len(findings) == 1
    finding = findings[0]
    assert finding.kind == FindingKind.CHANGE_POINT
    assert abs((finding.onset_ns - T0_NS) // STEP_NS - 150) <= 1
    assert finding.direction == Direction.UP
    change = finding.evidence_value("change")
    assert isinstance(change, float)
    assert 35.0 <= change <= 45.0
    assert finding.baseline is not None
    assert abs(finding.baseline - 100.0) < 3.0


def test_step_down_is_direction_down() -> None:
    """A drop in level is reported with direction DOWN."""
    values = noise(4, 200, level=0.9, sigma=0.01)
    values[120:] -= 0.3
    series = make(values, kind=SeriesKind.GAUGE)
    [finding] = detect_change_points(series, whole(series), AnomalyConfig())
    assert finding.direction == Direction.DOWN
    assert abs((finding.onset_ns - T0_NS) // STEP_NS - 120) <= 1


def test_ramp_has_no_change_point() -> None:
    """A steady ramp is a trend: PELT's stair-steps on it have no jump and are dropped."""
    values = noise(5, 300, sigma=2.0) + np.arange(300) * 0.5
    series = make(values)
    assert detect_change_points(series, whole(series), AnomalyConfig()) == []


def test_onset_outside_window_is_not_reported() -> None:
    """A step before the window is history, not a finding about the window."""
    values = noise(6, 240)
    values[50:] += 60.0
    series = make(values)
    window = whole(series)
    later = type(window)(start_ns=T0_NS + 120 * STEP_NS, end_ns=window.end_ns)
    assert detect_change_points(series, later, AnomalyConfig()) == []
