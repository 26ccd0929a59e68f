"""Static thresholds: the seeds' defaults, matched by series kind, in the series' own unit."""

from __future__ import annotations

from nightcall.analysis.anomalies import AnomalyConfig, detect_thresholds
from nightcall.model import FindingKind, SeriesKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, whole


def test_latency_in_seconds_uses_the_1000_ms_default() -> None:
    """p95 of 1.4 s for five minutes crosses the 1000 ms threshold; 0.9 s does not."""
    values = [0.9] * 30 + [1.4] * 5 + [0.9] * 10
    series = make(values, kind=SeriesKind.LATENCY, unit="s")
    [finding] = detect_thresholds(series, whole(series), AnomalyConfig())
    assert finding.kind == FindingKind.THRESHOLD
    assert (finding.onset_ns - T0_NS) // STEP_NS == 30
    assert (finding.end_ns - T0_NS) // STEP_NS == 35
    assert finding.evidence_value("threshold") == 1.0
    assert finding.observed == 1.4
    assert finding.baseline == 0.9


def test_ratio_error_rate_against_five_percent() -> None:
    """An error ratio of 0.08 (unit "1") crosses 5 %; 0.04 does not."""
    series = make([0.04] * 20 + [0.08] * 3, kind=SeriesKind.ERROR_RATE, unit="1")
    [finding] = detect_thresholds(series, whole(series), AnomalyConfig())
    assert finding.evidence_value("threshold_canonical") == 5.0


def test_each_kind_has_its_default() -> None:
    """CPU at 82 % and memory at 86 % cross 80 % and 85 %; a gauge has no threshold."""
    for kind, value in ((SeriesKind.UTILIZATION, 82.0), (SeriesKind.MEMORY, 86.0)):
        series = make([50.0] * 20 + [value] * 2, kind=kind, unit="%")
        assert len(detect_thresholds(series, whole(series), AnomalyConfig())) == 1
    gauge = make([1e9] * 20, kind=SeriesKind.GAUGE)
    assert detect_thresholds(gauge, whole(gauge), AnomalyConfig()) == []


def test_memory_bytes_without_limit_has_no_threshold() -> None:
    """Bytes in use mean nothing against 85 % without the limit; with it they do."""
    values = [9e8] * 20
    assert (
        detect_thresholds(
            make(values, kind=SeriesKind.MEMORY, unit="By"), whole(make(values)), AnomalyConfig()
        )
        == []
    )
    limited = make(values, kind=SeriesKind.MEMORY, unit="By", limit=1e9)
    assert len(detect_thresholds(limited, whole(limited), AnomalyConfig())) == 1


def test_sustain_points_ignore_a_blip() -> None:
    """With three points required, a two-point breach is not a finding."""
    series = make([100.0] * 20 + [2000.0] * 2 + [100.0] * 5, kind=SeriesKind.LATENCY, unit="ms")
    config = AnomalyConfig(threshold_sustain_points=3)
    assert detect_thresholds(series, whole(series), config) == []
