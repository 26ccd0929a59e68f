"""Candidates become ranked hypotheses: each rule's verdict, with evidence, impact and steps.

For each of the top candidate services, every rule is asked; the strongest verdicts become
hypotheses. The ranking score multiplies a verdict's strength by how strongly its service
stands out (the square root of its score relative to the best candidate's), so a specific
explanation of the leading candidate comes first and a vague one of a weak candidate last.
"""

from __future__ import annotations

from nightcall.analysis.rca import Candidate
from nightcall.explain.hypotheses.confidence import calibrated_confidence
from nightcall.explain.hypotheses.context import Context
from nightcall.explain.hypotheses.log_evidence import log_evidence
from nightcall.explain.hypotheses.playbook import PLAYS, fill
from nightcall.explain.hypotheses.related import related_evidence
from nightcall.explain.hypotheses.rules import (
    Rule,
    Verdict,
    certificate_expiry,
    context_switch_storm,
    cpu_bottleneck,
    deploy_regression,
    device_specific_crash,
    gc_pause,
    memory_leak,
    resource_exhaustion,
)
from nightcall.explain.hypotheses.rules_flow import (
    cascading_failure,
    latency_or_errors,
    network_degradation,
    periodic_issue,
    slow_dependency,
    time_of_day_congestion,
)
from nightcall.explain.hypotheses.shapes import describe_shift
from nightcall.model import EvidenceItem, Hypothesis

RULES: tuple[Rule, ...] = (
    certificate_expiry,
    deploy_regression,
    device_specific_crash,
    memory_leak,
    cpu_bottleneck,
    resource_exhaustion,
    gc_pause,
    context_switch_storm,
    slow_dependency,
    network_degradation,
    periodic_issue,
    time_of_day_congestion,
    cascading_failure,
    latency_or_errors,
)
VERDICTS_PER_CANDIDATE = 2
RUNNER_UP_FACTOR = 0.8


def build_hypotheses(
    ctx: Context, *, max_candidates: int = 5, max_hypotheses: int = 8
) -> list[Hypothesis]:
    """Ranked hypotheses for the top `max_candidates` candidates of `ctx`, best first."""
    if not ctx.candidates:
        return []
    top = ctx.candidates[0].score
    second = ctx.candidates[1].score if len(ctx.candidates) > 1 else 0.0
    scored: list[tuple[float, Hypothesis]] = []
    for candidate in ctx.candidates[:max_candidates]:
        verdicts = [v for rule in RULES if (v := rule(ctx, candidate)) is not None]
        verdicts.sort(key=lambda v: -v.strength)
        relative = (candidate.score / top) ** 0.5 if top > 0 else 0.0
        for index, verdict in enumerate(verdicts[:VERDICTS_PER_CANDIDATE]):
            raw = verdict.strength * relative * (RUNNER_UP_FACTOR**index)
            margin = (top - second) / top if candidate is ctx.candidates[0] and top else 0.0
            scored.append((raw, _hypothesis(ctx, candidate, verdict, raw, margin)))
    scored.sort(key=lambda pair: -pair[0])
    return [h for _, h in scored[:max_hypotheses]]


def _hypothesis(
    ctx: Context, candidate: Candidate, verdict: Verdict, raw: float, margin: float
) -> Hypothesis:
    service = candidate.service
    resource = ctx.telemetry.resources.get(service, {})
    values = {
        "service": service,
        "host": resource.get("host.name", "") or resource.get("k8s.pod.name", ""),
        "pid": resource.get("process.pid", ""),
        "target": verdict.target,
    }
    play = PLAYS[verdict.kind]
    evidence = list(verdict.evidence)
    labels = {e.label for e in evidence}
    for contribution in candidate.strongest(3):
        item = describe_shift(contribution.shift)
        if item.label not in labels:
            labels.add(item.label)
            evidence.append(item)
    evidence.extend(e for e in related_evidence(ctx, candidate) if e.label not in labels)
    evidence.extend(log_evidence(ctx, service))
    evidence.append(
        EvidenceItem(
            label="root-cause score",
            value=candidate.score,
            detail=f"{service} ranks with score {candidate.score:.1f} (largest weighted shift"
            " after the onset, after discounting what its callees explain)",
        )
    )
    return Hypothesis(
        kind=verdict.kind,
        service=service,
        confidence=calibrated_confidence(raw, margin),
        statement=verdict.statement,
        onset_ns=verdict.onset_ns if verdict.onset_ns is not None else ctx.onset_ns,
        symptom=verdict.symptom,
        impact=_impact(ctx, service),
        evidence=tuple(evidence),
        steps=fill(play.steps, values),
        stabilize=fill(play.stabilize, values),
        diagnostics=play.diagnostics,
        target=verdict.target,
        score=round(raw, 4),
    )


def _impact(ctx: Context, service: str) -> str:
    """Which callers suffer with `service`, and how much, in one line."""
    hurt = []
    for caller in sorted(ctx.upstream(service)):
        parts = []
        errors = ctx.shift("error_rate", caller)
        latency = ctx.shift("latency_p95", caller)
        if errors is not None and errors.z >= 3:
            parts.append(f"errors {errors.before:.0%} -> {errors.after:.0%}")
        if latency is not None and latency.z >= 3:
            parts.append(f"p95 {latency.before:.0f} -> {latency.after:.0f} ms")
        if parts:
            hurt.append(f"{caller} ({', '.join(parts)})")
    if not hurt:
        return f"{service} only, as far as its callers' telemetry shows"
    return "callers affected: " + "; ".join(hurt)
