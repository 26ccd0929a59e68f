"""Consensus: pages only when independent detectors agree, never for known patterns or noise."""

from __future__ import annotations

import numpy as np
import pytest

from nightcall.analysis.anomalies import AnomalyConfig, detect_anomalies
from nightcall.model import Direction, FindingKind, SeriesKind
from tests.analysis.anomalies.synthetic import STEP_NS, T0_NS, make, noise, whole
from tests.analysis.anomalies.test_periodic import bursts
from tests.analysis.anomalies.test_seasonality import evening


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("kind", [SeriesKind.GAUGE, SeriesKind.LATENCY, SeriesKind.COUNTER_RATE])
def test_pure_noise_gives_no_findings(seed: int, kind: SeriesKind) -> None:
    """Gaussian noise produces no finding from any detector at the default configuration."""
    series = make(noise(seed, 720), kind=kind, unit="ms" if kind == SeriesKind.LATENCY else "")
    assert detect_anomalies(series, whole(series)) == []


def test_step_is_an_anomaly_with_its_voters() -> None:
    """A lasting latency step is an anomaly that robust and change-point detection agree on."""
    values = noise(1, 240)
    values[150:] += 60.0
    series = make(values, kind=SeriesKind.LATENCY, unit="ms")
    findings = detect_anomalies(series, whole(series))
    [anomaly] = [f for f in findings if f.kind == FindingKind.ANOMALY]
    assert {"changepoint", "robust"} <= set(anomaly.voters)
    assert abs((anomaly.onset_ns - T0_NS) // STEP_NS - 150) <= 1
    assert anomaly.direction == Direction.UP
    assert anomaly.detector == "consensus"
    votes = [e.value for e in anomaly.evidence if e.name == "vote"]
    assert set(votes) == set(anomaly.voters)


def test_single_spike_is_flagged_but_does_not_page() -> None:
    """One spike is a robust deviation, but no other detector agrees, so no anomaly."""
    values = noise(2, 240)
    values[180] += 80.0
    series = make(values)
    findings = detect_anomalies(series, whole(series))
    assert [f.detector for f in findings] == ["robust"]
    assert (findings[0].onset_ns - T0_NS) // STEP_NS == 180


def test_spike_over_a_threshold_pages() -> None:
    """A latency spike past 1000 ms is both a threshold breach and a deviation: they agree."""
    values = noise(3, 240, level=200.0, sigma=10.0)
    values[180] = 1500.0
    series = make(values, kind=SeriesKind.LATENCY, unit="ms")
    anomalies = [f for f in detect_anomalies(series, whole(series)) if f.voters]
    assert [set(a.voters) for a in anomalies] == [{"robust", "threshold"}]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_periodic_job_does_not_page(seed: int) -> None:
    """Bursts every 15 minutes are recognized as periodic and raise no anomaly."""
    series = make(bursts(seed, 720, 15, 1), kind=SeriesKind.UTILIZATION, unit="%")
    findings = detect_anomalies(series, whole(series))
    assert any(f.kind == FindingKind.PERIODIC for f in findings)
    assert not [f for f in findings if f.kind == FindingKind.ANOMALY]


def test_daily_pattern_does_not_page() -> None:
    """An evening dip seen on three days is recognized as daily and raises no anomaly."""
    series = make(evening(1, 72), unit="1")
    findings = detect_anomalies(series, whole(series))
    assert any(f.kind == FindingKind.TIME_OF_DAY and f.is_recurring for f in findings)
    assert not [f for f in findings if f.kind == FindingKind.ANOMALY]


def test_memory_leak_over_threshold_pages_with_trend() -> None:
    """Memory climbing past 85 % is a trend and a threshold breach together: an anomaly."""
    values = np.linspace(60.0, 95.0, 600) + noise(4, 600, level=0.0, sigma=0.5)
    series = make(values, kind=SeriesKind.MEMORY, unit="%")
    findings = detect_anomalies(series, whole(series))
    anomalies = [f for f in findings if f.kind == FindingKind.ANOMALY]
    assert anomalies
    assert {"threshold", "trend"} <= set(anomalies[-1].voters)


def test_more_votes_can_be_required() -> None:
    """With three votes required, a step seen by two detectors is not an anomaly."""
    values = noise(5, 240)
    values[150:] += 60.0
    series = make(values)
    config = AnomalyConfig(consensus_min_votes=3)
    findings = detect_anomalies(series, whole(series), config=config)
    assert not [f for f in findings if f.kind == FindingKind.ANOMALY]
