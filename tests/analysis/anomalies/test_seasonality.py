"""Time-of-day patterns: the right hours, recurring with days of history, said so without."""

from __future__ import annotations

import numpy as np

from nightcall.analysis.anomalies import AnomalyConfig, detect_time_of_day
from nightcall.model import Direction, FindingKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, whole


def evening(seed: int, hours: float, start_hour: float = 0.0) -> list[float]:
    """Success ratio 0.9, dropping to 0.3 from 18:00 to 20:00 each day."""
    rng = np.random.default_rng(seed)
    n = int(hours * 60)
    minutes = start_hour * 60 + np.arange(n)
    hour = (minutes // 60) % 24
    values = np.where((hour >= 18) & (hour < 20), 0.3, 0.9) + rng.normal(0, 0.02, n)
    return [float(v) for v in values]


def test_evening_window_over_three_days_is_a_daily_pattern() -> None:
    """Three days with a poor 18:00-20:00 give that range, seen on 3 of 3 days, recurring."""
    series = make(evening(1, 72), unit="1")
    [finding] = detect_time_of_day(series, whole(series), AnomalyConfig())
    assert finding.kind == FindingKind.TIME_OF_DAY
    assert finding.direction == Direction.DOWN
    assert finding.evidence_value("from_bucket") == 18
    assert finding.evidence_value("to_bucket") == 20
    assert finding.evidence_value("days_recurring") == 3
    assert finding.is_recurring
    assert "18:00-20:00" in finding.summary
    assert finding.observed is not None
    assert abs(finding.observed - 0.3) < 0.05
    assert finding.baseline is not None
    assert abs(finding.baseline - 0.9) < 0.05


def test_hours_of_history_report_the_contrast_and_say_so() -> None:
    """With 12 hours of history (10:00-22:00), the window is found but not called daily."""
    series = make(evening(2, 12, start_hour=10), unit="1", start_ns=T0_NS + 600 * STEP_NS)
    [finding] = detect_time_of_day(series, whole(series), AnomalyConfig())
    assert finding.evidence_value("from_bucket") == 18
    assert finding.evidence_value("to_bucket") == 20
    assert not finding.is_recurring
    assert "only" in finding.summary
    assert "history" in finding.summary


def test_offset_moves_the_hours() -> None:
    """With a UTC+2 day, the same points fall in 20:00-22:00 local time."""
    series = make(evening(3, 48), unit="1")
    [finding] = detect_time_of_day(series, whole(series), AnomalyConfig(utc_offset_s=7200))
    assert finding.evidence_value("from_bucket") == 20


def test_a_step_in_hours_of_history_is_no_time_of_day_pattern() -> None:
    """A level that changes once and stays, in under a day, is not a window of the day."""
    values = [0.9] * 300 + [0.3] * 300
    noisy = np.array(values) + np.random.default_rng(4).normal(0, 0.01, 600)
    series = make(noisy, unit="1", start_ns=T0_NS + 480 * STEP_NS)
    assert detect_time_of_day(series, whole(series), AnomalyConfig()) == []
