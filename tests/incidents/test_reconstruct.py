"""The data's timeline: onset, deploys, error bursts and the recovery of the leading signal."""

from __future__ import annotations

import math

from nightcall.analysis.rca import Candidate, Contribution, SeriesShift
from nightcall.explain import Diagnosis, Telemetry
from nightcall.incidents.reconstruct import data_timeline, recovery_time, window_query
from nightcall.model import ChangeEvent, ChangeKind, Series, SeriesKey, SeriesKind, TimelineKind
from nightcall.store.queries_traces import Window

T0 = 1_793_502_000 * 10**9
STEP = 60 * 10**9
CPU = SeriesKey.of("process.cpu.utilization", {"service": "catalog"})


def _series(key: SeriesKey, values: list[float], kind: SeriesKind = SeriesKind.GAUGE) -> Series:
    return Series(
        key=key,
        times_ns=tuple(T0 + i * STEP for i in range(len(values))),
        values=tuple(values),
        kind=kind,
    )


def _shift(onset_index: int = 20) -> SeriesShift:
    return SeriesShift(
        key=CPU,
        kind=SeriesKind.UTILIZATION,
        unit="1",
        z=12.0,
        before=0.05,
        after=0.95,
        onset_ns=T0 + onset_index * STEP,
        peak_ns=T0 + (onset_index + 1) * STEP,
    )


def test_recovery_is_when_the_shifted_series_settles_back() -> None:
    """CPU at 5 %, 95 % from minute 20 to 34 (one dip), 5 % again: recovered at minute 35."""
    values = [0.05] * 20 + [0.95] * 6 + [0.2] + [0.95] * 8 + [0.05] * 25
    assert recovery_time(_series(CPU, values), _shift()) == T0 + 35 * STEP


def test_a_series_still_shifted_at_the_end_has_not_recovered() -> None:
    """No recovery while the series stays up, or when too few points follow the drop."""
    assert recovery_time(_series(CPU, [0.05] * 20 + [0.95] * 40), _shift()) is None
    assert recovery_time(_series(CPU, [0.05] * 20 + [0.95] * 38 + [0.05] * 2), _shift()) is None


def test_missing_points_are_skipped_and_falls_are_read_the_other_way() -> None:
    """NaN buckets do not count; a series that fell recovers when it rises back."""
    values = [0.9] * 20 + [0.1, math.nan, 0.1, 0.1] + [0.9] * 10
    falling = SeriesShift(
        key=CPU,
        kind=SeriesKind.GAUGE,
        unit="",
        z=-8.0,
        before=0.9,
        after=0.1,
        onset_ns=T0 + 20 * STEP,
        peak_ns=T0 + 20 * STEP,
    )
    assert recovery_time(_series(CPU, values), falling) == T0 + 24 * STEP


def test_the_data_timeline_holds_onset_deploy_burst_and_recovery_with_links() -> None:
    """A diagnosis and its telemetry give one entry per moment, each with an API link."""
    window = Window(start_ns=T0, end_ns=T0 + 60 * STEP)
    errors = SeriesKey.of("error_events", {"service": "frontend"})
    telemetry = Telemetry(
        window=window,
        step_ns=STEP,
        series=(
            _series(CPU, [0.05] * 20 + [0.95] * 15 + [0.05] * 25),
            _series(errors, [0.0] * 22 + [2.0] * 10 + [0.0] * 28, SeriesKind.COUNTER_RATE),
        ),
        changes=(
            ChangeEvent(
                kind=ChangeKind.DEPLOY,
                service="catalog",
                time_ns=T0 + 19 * STEP,
                detail="catalog 1.0 -> 1.1",
                previous="1.0",
                current="1.1",
            ),
        ),
    )
    top = Candidate(
        service="catalog", score=9.0, contributions=[Contribution(shift=_shift(), weight=1.0)]
    )
    diagnosis = Diagnosis(
        window=window,
        step_ns=STEP,
        onset_ns=T0 + 20 * STEP,
        anomalies=(),
        candidates=(top,),
        hypotheses=(),
        series_count=2,
        timings_s={},
    )
    entries = data_timeline(diagnosis, telemetry)
    assert [(e.kind, (e.time_ns - T0) // STEP) for e in entries] == [
        (TimelineKind.DEPLOY, 19),
        (TimelineKind.ONSET, 20),
        (TimelineKind.ERROR_BURST, 22),
        (TimelineKind.RECOVERY, 35),
    ]
    onset = entries[1]
    assert onset.service == "catalog"
    assert onset.link == window_query("/api/v1/hypotheses", window)
    assert entries[2].link.startswith("/api/v1/errors?start=")
    assert entries[2].link.endswith("&service=frontend")
    assert entries[3].evidence["series"] == str(CPU)
