"""Recommendations, each derived from data in the report and saying which.

In this order: how to stabilize what the hypotheses blame (their `stabilize`, with the first
step that confirms them); services whose anomalies no hypothesis explains (one weaker than
`MIN_CONFIDENCE`, unless ranked first, does not count); regressed and new
error groups; new log templates at warning or worse. Nothing is recommended without a
hypothesis, an anomaly, an error group or a template behind it.
"""

from __future__ import annotations

from collections.abc import Sequence

from nightcall.cli.report.format import code, one_line, plural, short_time, value
from nightcall.cli.report.model import (
    AnomalySummary,
    DiagnosisSummary,
    ErrorGroupSummary,
    Recommendation,
    TemplateSummary,
)

MIN_CONFIDENCE = 0.3  # below it, only a window's top hypothesis is turned into advice
HYPOTHESES_PER_WINDOW = 3
MAX_UNEXPLAINED = 3
MAX_ERRORS = 3
MAX_TEMPLATES = 2
LOUD_LEVELS = ("fatal", "error", "warn")
TITLE_WIDTH = 70


def _from_hypotheses(diagnoses: Sequence[DiagnosisSummary]) -> list[Recommendation]:
    found: list[Recommendation] = []
    seen: set[tuple[str, str]] = set()
    for diagnosis in diagnoses:
        for h in diagnosis.hypotheses[:HYPOTHESES_PER_WINDOW]:
            if (h.kind, h.service) in seen or (h.rank > 1 and h.confidence < MIN_CONFIDENCE):
                continue
            seen.add((h.kind, h.service))
            if not h.stabilize and not h.steps:
                continue
            found.append(
                Recommendation(
                    service=h.service,
                    action=h.stabilize[0] if h.stabilize else h.steps[0],
                    check=h.steps[0] if h.stabilize and h.steps else "",  # prose with code
                    basis=f"hypothesis #{h.rank} {h.kind}, confidence {h.confidence:.2f}, "
                    f"onset {short_time(h.onset_ns)}: {h.statement}",
                )
            )
    return found


def _unexplained(
    anomalies: Sequence[AnomalySummary], diagnoses: Sequence[DiagnosisSummary]
) -> list[Recommendation]:
    """Per service (strongest first): anomalies that no hypothesis of enough confidence blames
    on the service or, for a call series, on the callee."""
    hypotheses = [h for d in diagnoses for h in d.hypotheses]
    blamed = {h.service for h in hypotheses if h.rank == 1 or h.confidence >= MIN_CONFIDENCE}
    by_service: dict[str, list[AnomalySummary]] = {}
    for a in anomalies:
        if a.service and a.service not in blamed and a.dependency not in blamed:
            by_service.setdefault(a.service, []).append(a)
    ranked = sorted(by_service.items(), key=lambda kv: (-max(a.score for a in kv[1]), kv[0]))
    found = []
    for service, items in ranked[:MAX_UNEXPLAINED]:
        strongest = max(items, key=lambda a: a.score)
        names = ", ".join(sorted({a.name for a in items}))
        weak = next((h for h in hypotheses if h.service == service), None)
        why = (
            f"only a weak hypothesis blames {service} (#{weak.rank} {weak.kind}, confidence "
            f"{weak.confidence:.2f})"
            if weak
            else "no hypothesis explains them"
        )
        found.append(
            Recommendation(
                service=service,
                action=f"Look into {names} of {service}: {why}",
                check=code(strongest.query.replace("{service}", service)),
                basis=f"{plural(len(items), 'anomaly', 'anomalies')}, the first at "
                f"{short_time(min(a.onset_ns for a in items))}; strongest {strongest.series} "
                f"{strongest.direction} from {value(strongest.baseline, strongest.unit)} to "
                f"{value(strongest.observed, strongest.unit)} (score {strongest.score:.1f})",
            )
        )
    return found


def _errors(groups: Sequence[ErrorGroupSummary]) -> list[Recommendation]:
    chosen = [g for g in groups if g.is_regression] + [
        g for g in groups if g.is_new and not g.is_regression
    ]
    return [
        Recommendation(
            service=", ".join(g.services),
            action=f"Triage the {'regressed' if g.is_regression else 'new'} error "
            + code(one_line(g.title, TITLE_WIDTH)),
            check=code(f"nightcall errors show {g.fingerprint}"),
            basis=f"{g.count} {g.level} events in the window"
            + (f", first seen {short_time(g.first_seen_ns)}" if g.first_seen_ns else ""),
        )
        for g in chosen[:MAX_ERRORS]
    ]


def _templates(templates: Sequence[TemplateSummary]) -> list[Recommendation]:
    loud = [t for t in templates if t.severity in LOUD_LEVELS]
    return [
        Recommendation(
            service=t.service,
            action=f"Read the new {t.severity} log lines {code(one_line(t.template, TITLE_WIDTH))}",
            check=code(f"nightcall logs templates --service {t.service}"),
            basis=f"{t.count} lines, the first at {short_time(t.first_seen_ns)}",
        )
        for t in loud[:MAX_TEMPLATES]
    ]


def recommend(
    *,
    diagnoses: Sequence[DiagnosisSummary],
    anomalies: Sequence[AnomalySummary],
    error_groups: Sequence[ErrorGroupSummary],
    new_templates: Sequence[TemplateSummary],
) -> tuple[Recommendation, ...]:
    """What to do, most likely to help first, each with the data it rests on."""
    return (
        *_from_hypotheses(diagnoses),
        *_unexplained(anomalies, diagnoses),
        *_errors(error_groups),
        *_templates(new_templates),
    )
