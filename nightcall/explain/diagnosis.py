"""One diagnosis of one window: anomalies, the onset, ranked causes, ranked hypotheses.

    diagnosis = diagnose(store, window)              # reads the store, then the pure part
    diagnosis = diagnose_telemetry(telemetry, cfg)   # the pure part, for tests and replays

The steps: every series through the anomaly detectors; the onset most of them agree on; each
series' shift after it (BARO's robust score); services ranked with the call graph's
corrections; each leading service's kind of cause named by the rules, with its evidence, steps
and a calibrated confidence. With `service`, only that service and what it calls (directly or
not) are candidates: "why is my service slow?".
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from nightcall.analysis.anomalies import AnomalyConfig, builtin_detectors, detect_anomalies
from nightcall.analysis.rca import (
    Candidate,
    SeriesShift,
    count_burst_onset,
    estimate_onsets,
    measure_shift,
)
from nightcall.analysis.rca import rank_services as rank_candidates
from nightcall.explain.hypotheses import Context, build_hypotheses
from nightcall.explain.telemetry import Telemetry, prefer_spans, read_telemetry, signal_of
from nightcall.model import ChangeKind, Finding, FindingKind, Hypothesis, Series, SeriesKey
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

_WEIGHTS = {"error_rate": "requests", "call_error_rate": "calls"}
_ERROR_COUNTS = ("error_events", "log_errors")
CALL_DETECTORS = ("threshold", "robust", "changepoint", "periodic")


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagnosisConfig:
    """Knobs of a diagnosis; the defaults are the evaluated ones."""

    anomaly: AnomalyConfig = field(default_factory=AnomalyConfig)
    max_candidates: int = 10
    max_hypotheses: int = 8
    hypothesis_candidates: int = 5
    onset_candidates: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnosis:
    """The result of diagnosing one window."""

    window: Window
    step_ns: int
    onset_ns: int | None
    anomalies: tuple[Finding, ...]
    candidates: tuple[Candidate, ...]
    hypotheses: tuple[Hypothesis, ...]
    series_count: int
    timings_s: dict[str, float]


def diagnose(
    store: Store,
    window: Window,
    *,
    service: str | None = None,
    config: DiagnosisConfig | None = None,
    signals: frozenset[str] | None = None,
) -> Diagnosis:
    """Read `window` from `store` and diagnose it (see the module's docstring); `signals`
    restricts it to some kinds of telemetry (`SIGNALS`: spans, calls, logs, errors, metrics)."""
    telemetry = read_telemetry(store, window)
    if signals is not None:
        telemetry = telemetry.only(signals)
    return diagnose_telemetry(telemetry, config or DiagnosisConfig(), service=service)


def diagnose_telemetry(
    telemetry: Telemetry, config: DiagnosisConfig, *, service: str | None = None
) -> Diagnosis:
    """The pure part of a diagnosis, over telemetry already read."""
    timings = {"read": round(telemetry.read_s, 3)}
    telemetry = replace(telemetry, series=prefer_spans(telemetry.series))
    started = time.perf_counter()
    window = telemetry.window
    findings: list[Finding] = []
    every = builtin_detectors()
    # Calls to dependencies are most of the series: they need to say when they changed and
    # whether they recur (a job hammering a database); leaks and daily patterns are read from
    # the services' own series.
    for_calls = {k: v for k, v in every.items() if k in CALL_DETECTORS}
    for series in telemetry.series:
        chosen = for_calls if signal_of(series.key) == "calls" else every
        findings.extend(detect_anomalies(series, window, config=config.anomaly, detectors=chosen))
    timings["detect"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    onsets = estimate_onsets(findings, telemetry.step_ns, count=config.onset_candidates)
    # A deploy inside the window is a moment worth testing as the onset, voted or not.
    onsets += [c.time_ns for c in telemetry.changes if c.kind == ChangeKind.DEPLOY]
    # So is the start of an error burst the detectors take for noise around zero.
    onsets += sorted(
        onset
        for s in telemetry.series
        if s.key.name in _ERROR_COUNTS and (onset := count_burst_onset(s)) is not None
    )
    anomalies = tuple(f for f in findings if f.kind == FindingKind.ANOMALY or f.is_recurring)
    if not onsets:
        timings["rank"] = round(time.perf_counter() - started, 3)
        return Diagnosis(window=window, step_ns=telemetry.step_ns, onset_ns=None,
                         anomalies=anomalies, candidates=(), hypotheses=(),
                         series_count=len(telemetry.series), timings_s=timings)  # fmt: skip
    # Keep the onset whose shifts single out a cause best: the fault's own moment does.
    best: tuple[float, int, dict[SeriesKey, SeriesShift], list[Candidate]] | None = None
    for onset in onsets:
        shifts = measure_shifts(telemetry.series, onset)
        candidates = rank_candidates(shifts, telemetry.services)
        top = candidates[0].score if candidates else 0.0
        if best is None or top > best[0] + 1e-9:
            best = (top, onset, shifts, candidates)
    _, onset, shifts, candidates = best  # type: ignore[misc]  # onsets is not empty
    ctx = Context(
        telemetry=telemetry,
        onset_ns=onset,
        shifts=shifts,
        findings=findings,
        candidates=candidates,
    )
    if service is not None:
        allowed = {service} | ctx.downstream(service)
        ctx.candidates = [c for c in candidates if c.service in allowed]
    hypotheses = build_hypotheses(
        ctx,
        max_candidates=config.hypothesis_candidates,
        max_hypotheses=config.max_hypotheses,
    )
    timings["rank"] = round(time.perf_counter() - started, 3)
    return Diagnosis(
        window=window,
        step_ns=telemetry.step_ns,
        onset_ns=onset,
        anomalies=anomalies,
        candidates=tuple(ctx.candidates[: config.max_candidates]),
        hypotheses=tuple(hypotheses),
        series_count=len(telemetry.series),
        timings_s=timings,
    )


def measure_shifts(series: tuple[Series, ...], onset_ns: int) -> dict[SeriesKey, SeriesShift]:
    """Each series' shift after `onset_ns`; error rates weighed by their request counts."""
    by_key = {s.key: s for s in series}
    shifts = {}
    for item in series:
        weights = None
        name = item.key.name
        if name in _WEIGHTS:
            weights = by_key.get(SeriesKey(name=_WEIGHTS[name], labels=item.key.labels))
        elif name.endswith(":error_rate"):  # a histogram's failed share, weighed by its rate
            rate = name.removesuffix(":error_rate") + ":rate"
            weights = by_key.get(SeriesKey(name=rate, labels=item.key.labels))
        shift = measure_shift(item, onset_ns, weights=weights)
        if shift is not None:
            shifts[item.key] = shift
    return shifts
