"""What moved with the cause: correlated symptoms upstream, in the order they moved.

Evidence a person checks first: "frontend's p95 follows catalog's CPU (r = 0.93, one step
later)". The cause's strongest series is correlated (lagged, up to five steps either way) with
the own latency and error series of every service upstream of it; pairs at |r| >= 0.7 are kept,
the strongest first. A positive lag means the cause moved first, as it should.
"""

from __future__ import annotations

from nightcall.analysis.correlation import CORRELATED_R, lagged_correlation
from nightcall.analysis.rca import Candidate
from nightcall.explain.hypotheses.context import Context
from nightcall.model import EvidenceItem, SeriesKey

MAX_ITEMS = 3
_SYMPTOMS = ("latency_p95", "error_rate")


def related_evidence(ctx: Context, candidate: Candidate) -> list[EvidenceItem]:
    """Up to three correlated upstream symptoms of the candidate's strongest series."""
    strongest = candidate.strongest(1)
    if not strongest:
        return []
    cause = ctx.series_by_key.get(strongest[0].shift.key)
    if cause is None:
        return []
    step_s = ctx.telemetry.step_ns / 1e9
    found: list[tuple[float, EvidenceItem]] = []
    for caller in sorted(ctx.upstream(candidate.service)):
        for name in _SYMPTOMS:
            symptom = ctx.series_by_key.get(SeriesKey.of(name, {"service": caller}))
            shift = ctx.shift(name, caller)
            if symptom is None or shift is None or shift.z < 3:
                continue
            lagged = lagged_correlation(cause, symptom)
            if lagged is None or abs(lagged[1]) < CORRELATED_R:
                continue
            lag, r = lagged
            order = (
                f"{lag * step_s:.0f} s later" if lag > 0
                else "at the same step" if lag == 0
                else f"{-lag * step_s:.0f} s earlier"
            )  # fmt: skip
            found.append(
                (
                    abs(r),
                    EvidenceItem(
                        label=f"{symptom.key} moves with {cause.key}",
                        value=round(r, 3),
                        detail=f"{symptom.key} follows {cause.key} (r = {r:.2f}, {order})",
                        query=symptom.query.replace("{service}", caller),
                    ),
                )
            )
    found.sort(key=lambda pair: -pair[0])
    return [item for _, item in found[:MAX_ITEMS]]
