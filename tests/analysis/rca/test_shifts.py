"""Shift scores on small, exactly known series."""

from __future__ import annotations

from nightcall.analysis.rca import count_burst_onset, estimate_onsets, measure_shift, rank_services
from nightcall.model import Direction, Finding, FindingKind, Series, SeriesKey, SeriesKind

T0 = 1_800_000_000 * 10**9
STEP = 30 * 10**9


def _series(
    name: str, values: list[float], *, kind: SeriesKind, unit: str, **labels: str
) -> Series:
    return Series(
        key=SeriesKey.of(name, labels),
        times_ns=tuple(T0 + i * STEP for i in range(len(values))),
        values=tuple(values),
        kind=kind,
        unit=unit,
    )


def _wobble(level: float, n: int, amplitude: float) -> list[float]:
    return [level + amplitude * ((i * 7) % 5 - 2) / 2 for i in range(n)]


def test_a_step_scores_high_and_a_flat_series_does_not() -> None:
    """A latency step of 40 noise units scores far above a series that only wobbles."""
    step = _wobble(100.0, 40, 4.0) + _wobble(500.0, 40, 4.0)
    flat = _wobble(100.0, 80, 4.0)
    onset = T0 + 40 * STEP
    moved = measure_shift(_series("lat", step, kind=SeriesKind.LATENCY, unit="ms"), onset)
    still = measure_shift(_series("lat", flat, kind=SeriesKind.LATENCY, unit="ms"), onset)
    assert moved is not None
    assert still is not None
    assert moved.z > 20
    assert moved.direction == Direction.UP
    assert abs(still.z) < 3
    assert 480 < moved.after < 520
    assert 95 < moved.before < 105


def test_one_failed_request_of_three_is_not_an_error_surge() -> None:
    """Error rates are tested on counts: a lone failure at low traffic scores low."""
    rates = [0.0] * 40 + [0.0, 0.33] + [0.0] * 38
    requests = [0.1] * 80  # three requests per 30 s step
    onset = T0 + 40 * STEP
    errors = _series("error_rate", rates, kind=SeriesKind.ERROR_RATE, unit="1", service="a")
    weights = _series("requests", requests, kind=SeriesKind.COUNTER_RATE, unit="1/s", service="a")
    shift = measure_shift(errors, onset, weights=weights)
    assert shift is not None
    assert shift.z < 3
    surge = _series("error_rate", [0.0] * 40 + [0.5] * 40, kind=SeriesKind.ERROR_RATE,
                    unit="1", service="a")  # fmt: skip
    assert (measure_shift(surge, onset, weights=weights) or shift).z > 5


def test_count_burst_onset_finds_the_first_step_of_a_sparse_burst() -> None:
    """Crashes at 0-1 per step that jump to 4-5 per step have their onset at the jump."""
    counts = [0, 1, 0, 0, 0, 1, 0, 0] * 5 + [4, 5, 3, 5, 4, 4] + [0] * 10
    series = _series("error_events", [c / 30 for c in counts], kind=SeriesKind.COUNTER_RATE,
                     unit="1/s", service="app")  # fmt: skip
    assert count_burst_onset(series) == T0 + 40 * STEP


def _anomaly(key: SeriesKey, onset_step: int, score: float) -> Finding:
    onset = T0 + onset_step * STEP
    return Finding(kind=FindingKind.ANOMALY, series=key, detector="consensus", onset_ns=onset,
                   start_ns=onset, end_ns=onset + 10 * STEP, score=score, direction=Direction.UP,
                   summary="")  # fmt: skip


def test_the_onset_most_series_agree_on_comes_first() -> None:
    """Three anomalies near step 40 outvote one stronger lone anomaly at step 10."""
    keys = [SeriesKey.of(f"s{i}") for i in range(4)]
    findings = [_anomaly(keys[0], 41, 5), _anomaly(keys[1], 40, 5), _anomaly(keys[2], 42, 5),
                _anomaly(keys[3], 10, 8)]  # fmt: skip
    onsets = estimate_onsets(findings, STEP)
    assert onsets[0] == T0 + 40 * STEP
    assert T0 + 10 * STEP in onsets


def test_the_callee_that_explains_its_callers_latency_ranks_first() -> None:
    """A caller slow only because its calls to a callee got slower is discounted."""
    onset = T0 + 40 * STEP
    before, after = _wobble(100.0, 40, 3.0), _wobble(600.0, 40, 3.0)
    series = [
        _series("latency_p95", before + after, kind=SeriesKind.LATENCY, unit="ms", service="front"),
        _series("call_latency_p95", [v - 20 for v in before + after], kind=SeriesKind.LATENCY,
                unit="ms", service="front", dependency="db-svc"),
        _series("latency_p95", [v - 25 for v in before + after], kind=SeriesKind.LATENCY,
                unit="ms", service="db-svc"),
    ]  # fmt: skip
    shifts = {s.key: shift for s in series if (shift := measure_shift(s, onset)) is not None}
    ranked = rank_services(shifts, ["front", "db-svc"])
    assert next(c.service for c in ranked) == "db-svc"
    front = next(c for c in ranked if c.service == "front")
    assert front.score < ranked[0].score / 5


def test_a_caller_whose_every_call_got_slower_is_blamed_itself() -> None:
    """Calls to two callees slow while both callees report flat spans: the caller is the cause."""
    onset = T0 + 40 * STEP
    flat = _wobble(50.0, 80, 2.0)
    slow = _wobble(60.0, 40, 2.0) + _wobble(400.0, 40, 2.0)

    def lat(name: str, values: list[float], **labels: str) -> Series:
        return _series(name, values, kind=SeriesKind.LATENCY, unit="ms", **labels)

    series = [
        lat("latency_p95", [v + 200 for v in slow], service="front"),
        lat("call_latency_p95", slow, service="front", dependency="a"),
        lat("call_latency_p95", slow, service="front", dependency="b"),
        lat("latency_p95", flat, service="a"),
        lat("latency_p95", flat, service="b"),
    ]
    shifts = {s.key: shift for s in series if (shift := measure_shift(s, onset)) is not None}
    ranked = rank_services(shifts, ["front", "a", "b"])
    assert ranked[0].service == "front"
    assert all(c.service == "front" for c in ranked)
