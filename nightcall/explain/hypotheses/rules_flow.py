"""Rules about how a problem flows: dependencies, the network, recurrence, load, cascades.

Where `rules` reads a service's own resources, these read its place among others: a slow
dependency nobody else reports on, a callee its callers see slow while it does not, a
problem that recurs with a period or with the day's traffic, a failure that spreads upstream.
The fallbacks say only "it got slower" or "it fails more", for when nothing more is known.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from nightcall.analysis.correlation import pearson
from nightcall.analysis.rca import Candidate
from nightcall.explain.hypotheses.context import Context
from nightcall.explain.hypotheses.rules import (
    CLEAR_Z,
    STRONG_Z,
    Verdict,
    own_symptom,
)
from nightcall.explain.hypotheses.shapes import describe_shift
from nightcall.model import EvidenceItem, FindingKind, HypothesisKind, SeriesKey

K = HypothesisKind


def slow_dependency(ctx: Context, candidate: Candidate) -> Verdict | None:
    known = ctx.known_services
    calls = [
        s
        for s in ctx.service_shifts(candidate.service)
        if s.key.name == "call_latency_p95"
        and s.key.label("dependency") not in known
        and s.z >= STRONG_Z
    ]
    if not calls:
        return None
    top = max(calls, key=lambda s: s.change)
    own = ctx.shift("latency_p95", candidate.service)
    explains = own is None or own.change <= 0 or top.change >= 0.5 * own.change
    if not explains:
        return None
    dependency = top.key.label("dependency")
    evidence = [describe_shift(top)] + ([describe_shift(own)] if own is not None else [])
    return Verdict(
        kind=K.SLOW_DEPENDENCY,
        strength=0.8,
        statement=f"{candidate.service}'s calls to {dependency} got slower"
        f" ({top.before:.0f} -> {top.after:.0f} ms at p95), and that is where its time goes",
        symptom=evidence[-1].detail,
        target=dependency,
        evidence=evidence,
    )


def network_degradation(ctx: Context, candidate: Candidate) -> Verdict | None:
    seen = [
        c
        for c in candidate.contributions
        if c.note and "sees calls" in c.note and c.shift.key.name == "call_latency_p95"
    ]
    hits = [
        h
        for h in ctx.telemetry.signatures
        if h.service in ctx.callers.get(candidate.service, set()) | {candidate.service}
        and h.signature.kind == K.NETWORK_DEGRADATION
    ]
    if not seen:
        return None
    top = max(seen, key=lambda c: c.score)
    evidence = [describe_shift(top.shift)]
    evidence += [
        EvidenceItem(
            label="network error lines", value=h.count, detail=h.sample, start_ns=h.first_ns
        )
        for h in hits[:1]
    ]
    return Verdict(
        kind=K.NETWORK_DEGRADATION,
        strength=0.75,
        statement=top.note,
        symptom=evidence[0].detail,
        target=top.shift.service,
        evidence=evidence,
    )


def periodic_issue(ctx: Context, candidate: Candidate) -> Verdict | None:
    periodic = [f for f in ctx.recurring(candidate.service) if f.kind == FindingKind.PERIODIC]
    if not periodic:
        return None
    top_keys = {c.shift.key for c in candidate.strongest(3)}
    best = max(periodic, key=lambda f: (f.series in top_keys, f.score))
    # A recurring pattern explains the incident only when nothing new began at the onset in
    # the same series: otherwise it is the background the fault happened on.
    tolerance = 3 * ctx.telemetry.step_ns
    is_new = any(
        f.kind == FindingKind.ANOMALY and abs(f.onset_ns - ctx.onset_ns) <= tolerance
        for key in top_keys
        for f in ctx.findings_by_key.get(key, [])
    )
    period = best.evidence_value("period_s")
    bursts = best.evidence_value("bursts")
    return Verdict(
        kind=K.PERIODIC_ISSUE,
        strength=0.88 if best.series in top_keys and not is_new else 0.3,
        statement=f"{candidate.service} has bursts every {float(period or 0):.0f} s"
        f" ({bursts} seen) in {best.series.name}: something scheduled runs there",
        symptom=best.summary,
        target=str(best.series),
        evidence=[
            EvidenceItem(
                label="period",
                value=float(period or 0),
                unit="s",
                detail=best.summary,
                start_ns=best.start_ns,
                end_ns=best.end_ns,
                query=best.query,
            )
        ],
    )


def time_of_day_congestion(ctx: Context, candidate: Candidate) -> Verdict | None:
    daily = [f for f in ctx.recurring(candidate.service) if f.kind == FindingKind.TIME_OF_DAY]
    symptom = own_symptom(ctx, candidate)
    load = ctx.series_by_key.get(SeriesKey.of("requests", {"service": candidate.service}))
    if daily:
        found = daily[0]
        return Verdict(
            kind=K.TIME_OF_DAY_CONGESTION,
            strength=0.85,
            statement=found.summary,
            symptom=found.summary,
            evidence=[
                EvidenceItem(
                    label="hours",
                    value=str(found.evidence_value("from_bucket")),
                    detail=found.summary,
                    start_ns=found.start_ns,
                    end_ns=found.end_ns,
                )
            ],
        )
    # Congestion shows as failures that come and go with the load. A stall (latency alone,
    # starting at a moment) is not congestion unless latency follows the load closely.
    errors = own_symptom(ctx, candidate, errors_only=True)
    if errors is not None and errors.z >= CLEAR_Z:
        symptom, bar = errors, 0.5
    elif symptom is not None and symptom.z >= CLEAR_Z:
        bar = 0.7
    else:
        return None
    values = ctx.series_by_key.get(symptom.key)
    if values is None or load is None:
        return None
    traffic = np.asarray(load.values, dtype=np.float64)
    failing = np.asarray(values.values, dtype=np.float64)
    r = pearson(_smooth(traffic), _smooth(failing))
    overlap = _peak_overlap(_smooth(traffic), _smooth(failing))
    if r is None or not (r >= bar or overlap >= 1.3 + bar - 0.5):
        return None
    return Verdict(
        kind=K.TIME_OF_DAY_CONGESTION,
        strength=0.8 if r >= 0.5 and overlap >= 1.3 else 0.74,
        statement=f"{candidate.service} fails when its traffic peaks: {symptom.key.name} follows"
        f" its request rate (r = {r:.2f}; traffic at its worst moments {overlap:.1f}x the usual)",
        symptom=describe_shift(symptom).detail,
        evidence=[
            describe_shift(symptom),
            EvidenceItem(
                label="correlation with request rate",
                value=round(r, 3),
                query=load.query.replace("{service}", candidate.service),
            ),
        ],
    )


def _smooth(values: NDArray[np.float64], width: int = 5) -> NDArray[np.float64]:
    """A centred rolling mean that skips NaN: per-step error rates are too noisy to correlate."""
    finite = np.isfinite(values)
    kernel = np.ones(width)
    sums = np.convolve(np.where(finite, values, 0.0), kernel, mode="same")
    counts = np.convolve(finite.astype(np.float64), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(counts > 0, sums / np.maximum(counts, 1), np.nan))


def _peak_overlap(traffic: NDArray[np.float64], failing: NDArray[np.float64]) -> float:
    """Median traffic at the symptom's worst fifth of steps, over the median traffic."""
    both = np.isfinite(traffic) & np.isfinite(failing)
    if int(both.sum()) < 10:
        return 0.0
    worst = failing[both] >= np.quantile(failing[both], 0.8)
    usual = float(np.median(traffic[both]))
    return float(np.median(traffic[both][worst])) / usual if usual > 0 else 0.0


def cascading_failure(ctx: Context, candidate: Candidate) -> Verdict | None:
    symptom = own_symptom(ctx, candidate)
    if symptom is None or symptom.z < STRONG_Z:
        return None
    failing = []
    slowed = []
    for caller in sorted(ctx.upstream(candidate.service)):
        errors = max(
            (
                e
                for e in (
                    ctx.shift("error_rate", caller),
                    ctx.shift("call_error_rate", caller, dependency=candidate.service),
                )
                if e is not None
            ),
            key=lambda e: e.z,
            default=None,
        )
        latency = ctx.shift("latency_p95", caller)
        if errors is not None and errors.z >= CLEAR_Z:
            failing.append((caller, errors))
        elif latency is not None and latency.z >= STRONG_Z:
            slowed.append((caller, latency))
    if not failing and not slowed:
        return None
    strength = 0.72 if failing else 0.5
    failing += slowed
    names = ", ".join(c for c, _ in failing)
    return Verdict(
        kind=K.CASCADING_FAILURE,
        strength=strength,
        statement=f"{candidate.service} fails first and its callers fail with it ({names})",
        symptom=describe_shift(symptom).detail,
        evidence=[describe_shift(symptom)] + [describe_shift(e) for _, e in failing[:3]],
    )


def latency_or_errors(ctx: Context, candidate: Candidate) -> Verdict | None:
    symptom = own_symptom(ctx, candidate)
    if symptom is None or symptom.z < CLEAR_Z:
        return None
    is_latency = symptom.key.name == "latency_p95"
    return Verdict(
        kind=K.LATENCY_REGRESSION if is_latency else K.ERROR_SURGE,
        strength=0.35,
        statement=f"{candidate.service} itself got {'slower' if is_latency else 'more errors'},"
        " and nothing it calls explains it",
        symptom=describe_shift(symptom).detail,
        evidence=[describe_shift(symptom)],
    )
