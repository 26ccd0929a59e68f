"""The rules that name a candidate's kind of cause, each from generic telemetry only.

A rule looks at one candidate service and answers a `Verdict` (a kind, its strength, the
evidence) or nothing. Strengths order the kinds from the most specific evidence (a log line
saying the certificate expired, a deploy a minute before the onset) to the least (it got
slower, no more is known); calibration turns them into confidences later. Series are
recognised by the OpenTelemetry naming conventions' words (`cpu`, `memory`, `connections`,
`gc`), never by one application's metric names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from nightcall.analysis.correlation import align_changes
from nightcall.analysis.correlation.changes import AFTER_NS
from nightcall.analysis.rca import Candidate, SeriesShift
from nightcall.explain.hypotheses.context import Context
from nightcall.explain.hypotheses.shapes import describe_shift, short_time
from nightcall.model import ChangeKind, EvidenceItem, HypothesisKind, SeriesKind

K = HypothesisKind
STRONG_Z = 5.0
CLEAR_Z = 3.0
_TOKENS = re.compile(r"[._:\-/]")


@dataclass(slots=True, kw_only=True)
class Verdict:
    """A rule's answer: the kind, its strength in [0, 1], what it points at, and why."""

    kind: HypothesisKind
    strength: float
    statement: str
    symptom: str = ""
    target: str = ""
    evidence: list[EvidenceItem] = field(default_factory=list)
    onset_ns: int | None = None  # when this cause began, if the rule knows better than the onset


Rule: TypeAlias = Callable[[Context, Candidate], Verdict | None]


def _words(name: str) -> set[str]:
    return set(_TOKENS.split(name.lower()))


def _resource_shifts(ctx: Context, service: str, words: set[str]) -> list[SeriesShift]:
    """The service's series whose name holds one of `words`, rising (or idle falling)."""
    found = []
    for shift in ctx.service_shifts(service):
        if not (_words(shift.key.name) & words):
            continue
        state = shift.key.label("state") or shift.key.label("system.cpu.state")
        rising = shift.z < 0 if state in {"idle", "free", "available"} else shift.z > 0
        if rising:
            found.append(shift)
    return sorted(found, key=lambda s: -abs(s.z))


def is_own_symptom(shift: SeriesShift) -> bool:
    """Latency or errors of the service's own requests: its spans, its server-side duration
    histograms, its error log lines and error events (not its calls to others)."""
    name = shift.key.name
    if shift.key.label("dependency") or "client" in name:
        return False
    if name in {"latency_p95", "error_rate", "log_errors", "error_events"}:
        return True
    return shift.kind in (SeriesKind.LATENCY, SeriesKind.ERROR_RATE)


def _number(value: float | str | None) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def own_symptom(
    ctx: Context, candidate: Candidate, *, errors_only: bool = False
) -> SeriesShift | None:
    """The candidate's strongest rise in its own latency or errors (errors only, if asked)."""
    own = [
        c.shift
        for c in candidate.contributions
        if c.shift.z > 0
        and is_own_symptom(c.shift)
        and not (errors_only and c.shift.kind == SeriesKind.LATENCY)
    ]
    return max(own, key=lambda s: s.z, default=None)


def certificate_expiry(ctx: Context, candidate: Candidate) -> Verdict | None:
    hits = [
        h
        for h in ctx.telemetry.signatures
        if h.service == candidate.service and h.signature.kind == K.CERTIFICATE_EXPIRY
    ]
    if not hits:
        return None
    hit = min(hits, key=lambda h: h.first_ns)
    return Verdict(
        kind=K.CERTIFICATE_EXPIRY,
        strength=0.95,
        statement=f"a TLS certificate that {candidate.service} checks has expired:"
        f" {hit.count} lines say so, the first at {short_time(hit.first_ns)}",
        symptom=hit.sample,
        evidence=[
            EvidenceItem(
                label="lines naming an expired certificate",
                value=hit.count,
                detail=hit.sample,
                start_ns=hit.first_ns,
                query=f"GET /api/v1/logs?service={candidate.service}&q=certificate",
            )
        ],
    )


def deploy_regression(ctx: Context, candidate: Candidate) -> Verdict | None:
    symptom = own_symptom(ctx, candidate)
    # The onset can come early (noise before the fault); the rise itself is at the peak.
    after_ns = max(AFTER_NS, symptom.peak_ns - ctx.onset_ns + 60 * 10**9) if symptom else AFTER_NS
    aligned = [
        a
        for a in align_changes(
            ctx.telemetry.changes, ctx.onset_ns, service=candidate.service, after_ns=after_ns
        )
        if a.change.kind == ChangeKind.DEPLOY
    ]
    if not aligned:
        return None
    change = aligned[0].change
    strength = 0.9 if symptom is not None and symptom.z >= CLEAR_Z else 0.5
    evidence = [
        EvidenceItem(
            label="deploy", value=change.current, detail=change.detail, start_ns=change.time_ns
        ),
    ]
    if symptom is not None:
        evidence.append(describe_shift(symptom))
    return Verdict(
        kind=K.DEPLOY_REGRESSION,
        strength=strength,
        statement=f"{candidate.service} {change.current} (from {change.previous}) went out at"
        f" {short_time(change.time_ns)}, and {candidate.service} got worse with it",
        symptom=describe_shift(symptom).detail if symptom else "",
        target=change.current,
        evidence=evidence,
        onset_ns=change.time_ns,
    )


def device_specific_crash(ctx: Context, candidate: Candidate) -> Verdict | None:
    counts = ctx.telemetry.devices.get(candidate.service, ())
    if not counts:
        return None
    onset_bucket = (ctx.onset_ns - ctx.telemetry.window.start_ns) // ctx.telemetry.step_ns
    after: dict[tuple[str, str], int] = {}
    before: dict[tuple[str, str], int] = {}
    for c in counts:
        side = after if c.bucket >= onset_bucket else before
        side[(c.device, c.os)] = side.get((c.device, c.os), 0) + c.count
    total_after, total_before = sum(after.values()), sum(before.values())
    if total_after < 5:
        return None
    (device, os), top = max(after.items(), key=lambda kv: kv[1])
    share_after = top / total_after
    share_before = before.get((device, os), 0) / total_before if total_before else 0.0
    if share_after < 0.5 or share_after < 1.5 * share_before:
        return None
    return Verdict(
        kind=K.DEVICE_SPECIFIC_CRASH,
        strength=0.9,
        statement=f"{share_after:.0%} of {candidate.service}'s error events since the onset come"
        f" from {device} on {os} ({share_before:.0%} before)",
        target=f"{device} {os}".strip(),
        evidence=[
            EvidenceItem(
                label="share of error events on one device",
                value=round(share_after, 3),
                detail=f"{top} of {total_after} events: device {device}, {os}",
                query=f"GET /api/v1/errors/events?service={candidate.service}&device={device}",
            ),
        ],
    )


def memory_leak(ctx: Context, candidate: Candidate) -> Verdict | None:
    memory = _resource_shifts(ctx, candidate.service, {"memory", "heap", "rss"})
    trends = [
        f
        for s in memory
        for f in ctx.findings_by_key.get(s.key, [])
        if f.kind.value == "trend" and f.direction.value == "up"
    ]
    ooms = [
        h
        for h in ctx.telemetry.signatures
        if h.service == candidate.service and h.signature.kind == K.MEMORY_LEAK
    ]
    restarts = [
        c
        for c in ctx.telemetry.changes
        if c.service == candidate.service
        and c.kind == ChangeKind.RESTART
        and c.time_ns >= ctx.onset_ns
    ]
    if not memory or (not trends and memory[0].z < STRONG_Z):
        return None
    strength = 0.6 + 0.15 * bool(trends) + 0.1 * bool(ooms or restarts)
    evidence = [describe_shift(memory[0])]
    evidence += [
        EvidenceItem(
            label="steady rise",
            value=_number(f.evidence_value("slope_per_s")),
            unit=f"{f.unit}/s",
            detail=f.summary,
            start_ns=f.start_ns,
            end_ns=f.end_ns,
        )
        for f in trends[:1]
    ]
    evidence += (
        [
            EvidenceItem(
                label="restarts after the onset",
                value=len(restarts),
                detail="; ".join(c.detail for c in restarts[:3]),
            )
        ]
        if restarts
        else []
    )
    evidence += [
        EvidenceItem(
            label="out-of-memory lines", value=h.count, detail=h.sample, start_ns=h.first_ns
        )
        for h in ooms[:1]
    ]
    return Verdict(
        kind=K.MEMORY_LEAK,
        strength=min(0.95, strength),
        statement=f"{candidate.service}'s memory grows steadily"
        + (f" until it restarts ({len(restarts)} restarts)" if restarts else ""),
        symptom=describe_shift(memory[0]).detail,
        target=memory[0].key.name,
        evidence=evidence,
    )


def _resource_rule(
    kind: HypothesisKind,
    words: set[str],
    what: str,
    *,
    high: float | None = None,
    ceiling: float = 0.85,
) -> Rule:
    def rule(ctx: Context, candidate: Candidate) -> Verdict | None:
        shifts = _resource_shifts(ctx, candidate.service, words)
        hits = [
            h
            for h in ctx.telemetry.signatures
            if h.service == candidate.service and h.signature.kind == kind
        ]
        if (not shifts or shifts[0].z < STRONG_Z) and not hits:
            return None
        strength = 0.6
        evidence = []
        if shifts and shifts[0].z >= STRONG_Z:
            top = shifts[0]
            saturated = high is None or top.after >= high * (100.0 if top.unit == "%" else 1.0)
            strength = ceiling if saturated else min(ceiling, 0.65)
            evidence.append(describe_shift(top))
        for hit in hits[:1]:
            strength = max(strength, 0.8)
            evidence.append(
                EvidenceItem(
                    label=f"{hit.signature.name} lines",
                    value=hit.count,
                    detail=hit.sample,
                    start_ns=hit.first_ns,
                )
            )
        return Verdict(
            kind=kind,
            strength=strength,
            statement=f"{candidate.service} is short of {what}",
            symptom=evidence[0].detail,
            target=shifts[0].key.name if shifts else "",
            evidence=evidence,
        )

    return rule


cpu_bottleneck = _resource_rule(K.CPU_BOTTLENECK, {"cpu"}, "CPU", high=0.7)
resource_exhaustion = _resource_rule(
    K.RESOURCE_EXHAUSTION,
    {
        "connections",
        "pool",
        "file",
        "descriptor",
        "descriptors",
        "fd",
        "timeouts",
        "handles",
        "disk",
        "filesystem",
        "fs",
        "blkio",
        "inodes",
        "socket",
        "sockets",
    },
    "a bounded resource (connections, threads, file descriptors)",
)
# GC runs follow allocation: a leak or a load rise drives them too, so alone they say less.
gc_pause = _resource_rule(
    K.GC_OR_MEMORY_RECLAIM_PAUSE, {"gc"}, "time between GC pauses", ceiling=0.6
)
context_switch_storm = _resource_rule(
    K.SYSCALL_OR_CONTEXT_SWITCH_STORM,
    {"context", "switches", "syscalls", "interrupts"},
    "CPU time outside its own code (context switches, syscalls)",
    ceiling=0.7,
)
