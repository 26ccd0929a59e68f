"""What rules see in exact series: thresholds, anomalies and hypotheses, per group."""

from __future__ import annotations

import math

from nightcall.alerts import Observation, observe_anomalies, observe_hypotheses, observe_threshold
from nightcall.config.alerts import AlertKind, AlertRule
from nightcall.model import Hypothesis, HypothesisKind, Series, SeriesKey, SeriesKind

NOW = 1_800_000_000 * 10**9
S = 10**9


def _series(name: str, labels: dict[str, str], values: list[float], step_s: int) -> Series:
    start = NOW - len(values) * step_s * S
    return Series(
        key=SeriesKey.of(name, labels),
        times_ns=tuple(start + i * step_s * S for i in range(len(values))),
        values=tuple(values),
        kind=SeriesKind.ERROR_RATE,
        unit="1",
    )


def test_threshold_compares_the_last_value_in_the_window_per_series() -> None:
    """Each matching series gives its last value in the window; only breaching ones breach."""
    rule = AlertRule(
        name="errors", kind=AlertKind.THRESHOLD, series="error_rate", threshold=0.05, window_s=300
    )
    series = [
        _series("error_rate", {"service": "checkout"}, [0.01, 0.12], 300),
        _series("error_rate", {"service": "cart"}, [0.2, 0.01], 300),
        _series("latency_p95", {"service": "cart"}, [900.0, 900.0], 300),
    ]
    found = observe_threshold(rule, series, NOW)
    assert [(dict(o.group_labels), o.value, o.is_breaching) for o in found] == [
        ({"service": "cart"}, 0.01, False),
        ({"service": "checkout"}, 0.12, True),
    ]
    assert 'error_rate{service="checkout"} is 0.12 (> 0.05) over the last 300 s' in found[1].summary


def test_threshold_skips_values_outside_the_window_and_gaps() -> None:
    """A NaN bucket falls back to the one before it in the window; older ones are no data."""
    rule = AlertRule(
        name="slow",
        kind=AlertKind.THRESHOLD,
        series="latency_p95",
        op=">=",
        threshold=500.0,
        window_s=120,
    )
    recent = _series("latency_p95", {"service": "a"}, [100.0, 700.0, math.nan], 60)
    stale = _series("latency_p95", {"service": "b"}, [900.0, math.nan, math.nan], 60)
    found = observe_threshold(rule, [recent, stale], NOW)
    assert found == [
        Observation(
            group_labels=(("service", "a"),),
            value=700.0,
            is_breaching=True,
            summary=found[0].summary,
        )
    ]


def test_threshold_matches_labels_and_groups_by_the_worst_series() -> None:
    """`match` picks series; `group_by` folds them into one group holding its worst value."""
    rule = AlertRule(
        name="cpu",
        kind=AlertKind.THRESHOLD,
        series="cpu",
        op="<",
        threshold=0.1,
        match=(("service", "db"),),
        group_by=("service",),
        summary="{service} idle at {value} (under {threshold})",
    )
    series = [
        _series("cpu", {"service": "db", "state": "idle"}, [0.3], 60),
        _series("cpu", {"service": "db", "state": "user"}, [0.05], 60),
        _series("cpu", {"service": "web", "state": "user"}, [0.01], 60),
    ]
    found = observe_threshold(rule, series, NOW)
    assert found == [
        Observation(
            group_labels=(("service", "db"),),
            value=0.05,
            is_breaching=True,
            summary="db idle at 0.05 (under 0.1)",
        )
    ]


def test_anomaly_rule_fires_on_a_consensus_step_in_the_window() -> None:
    """A level that jumps and stays is an anomaly the detectors agree on; a flat series is not."""
    rule = AlertRule(
        name="jump",
        kind=AlertKind.ANOMALY,
        series="latency_p95",
        window_s=600,
        lookback_s=3600,
        direction="up",
    )
    noise = [100.0 + (i * 7919 % 13) for i in range(120)]
    jumped = noise[:100] + [v + 400.0 for v in noise[100:]]
    series = [
        _series("latency_p95", {"service": "pay"}, jumped, 30),
        _series("latency_p95", {"service": "calm"}, noise, 30),
    ]
    found = {dict(o.group_labels)["service"]: o for o in observe_anomalies(rule, series, NOW)}
    assert found["pay"].is_breaching
    assert found["pay"].value > 400
    assert not found["calm"].is_breaching
    down = AlertRule(
        name="drop", kind=AlertKind.ANOMALY, series="latency_p95", window_s=600, direction="down"
    )
    assert not any(o.is_breaching for o in observe_anomalies(down, series, NOW))


def _hypothesis(kind: HypothesisKind, service: str, confidence: float) -> Hypothesis:
    return Hypothesis(
        kind=kind,
        service=service,
        confidence=confidence,
        statement=f"{kind} in {service}",
        onset_ns=NOW,
        symptom="",
        impact="",
        evidence=(),
        steps=(),
    )


def test_hypothesis_rule_takes_its_kind_above_its_confidence() -> None:
    """Only the rule's kind at or above min_confidence is observed, one group per service."""
    rule = AlertRule(
        name="leak", kind=AlertKind.HYPOTHESIS, hypothesis="memory_leak", min_confidence=0.6
    )
    hypotheses = [
        _hypothesis(HypothesisKind.MEMORY_LEAK, "cart", 0.7),
        _hypothesis(HypothesisKind.MEMORY_LEAK, "web", 0.5),
        _hypothesis(HypothesisKind.CPU_BOTTLENECK, "cart", 0.9),
    ]
    found = observe_hypotheses(rule, hypotheses)
    assert [(dict(o.group_labels), o.value) for o in found] == [
        ({"hypothesis": "memory_leak", "service": "cart"}, 0.7)
    ]
    assert found[0].summary == "memory_leak in cart (confidence 0.70)"
    anything = AlertRule(
        name="any",
        kind=AlertKind.HYPOTHESIS,
        hypothesis="any",
        match=(("service", "cart"),),
        group_by=("service",),
    )
    assert [o.value for o in observe_hypotheses(anything, hypotheses)] == [0.9]
