"""Memory of past incidents: a new incident matched to closed ones by the signals they share.

Each incident keeps four sets of signals from its data: the error fingerprints that rose, the
log templates that rose, the kinds of cause the engine proposed (`kind:service`), and the
affected services. A closed incident with a confirmed cause stands for that cause instead of
the engine's guesses. Similarity is a weighted Jaccard index: per set, shared / either, weighed
by how specific the set is (a shared fingerprint says more than a shared service), so two
incidents that only touch the same services score at most `SIGNAL_WEIGHTS["services"]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nightcall.model import EvidenceKind, Hypothesis, HypothesisStatus, Incident, LoggedHypothesis

SIGNAL_WEIGHTS: dict[str, float] = {
    "fingerprints": 0.35,
    "hypotheses": 0.3,
    "templates": 0.2,
    "services": 0.15,
}
MIN_SIMILARITY = 0.3
ENGINE_KINDS = 3  # the engine's top hypotheses that count as signals


def incident_signals(
    *,
    fingerprints: Iterable[str],
    templates: Iterable[str],
    hypotheses: Sequence[Hypothesis],
    services: Iterable[str],
) -> dict[str, tuple[str, ...]]:
    """The signal sets of one reading of an incident's data, sorted."""
    top = hypotheses[:ENGINE_KINDS]
    return {
        "fingerprints": tuple(sorted(set(fingerprints))),
        "hypotheses": tuple(sorted({f"{h.kind.value}:{h.service}" for h in top})),
        "templates": tuple(sorted(set(templates))),
        "services": tuple(sorted(set(services))),
    }


def signals_of(incident: Incident) -> dict[str, frozenset[str]]:
    """An incident's signals; a confirmed cause replaces the engine's kinds."""
    found = {name: frozenset(incident.signals.get(name, ())) for name in SIGNAL_WEIGHTS}
    confirmed = {f"{h.kind}:{h.service}" for h in incident.confirmed if h.kind}
    if confirmed:
        found["hypotheses"] = frozenset(confirmed)
    return found


def similarity(
    a: Mapping[str, frozenset[str]], b: Mapping[str, frozenset[str]]
) -> tuple[float, dict[str, tuple[str, ...]]]:
    """The weighted Jaccard index of two signal sets, and what they share."""
    score = 0.0
    shared: dict[str, tuple[str, ...]] = {}
    for name, weight in SIGNAL_WEIGHTS.items():
        left, right = a.get(name, frozenset()), b.get(name, frozenset())
        either = left | right
        if not either:
            continue
        both = left & right
        score += weight * len(both) / len(either)
        if both:
            shared[name] = tuple(sorted(both))
    return round(score, 4), shared


@dataclass(frozen=True, slots=True, kw_only=True)
class Match:
    """A closed incident like this one: how alike, and in what."""

    incident: Incident
    score: float
    shared: dict[str, tuple[str, ...]]

    @property
    def root_causes(self) -> tuple[LoggedHypothesis, ...]:
        return self.incident.confirmed


def similar_incidents(
    incident: Incident,
    others: Iterable[Incident],
    *,
    limit: int = 5,
    min_score: float = MIN_SIMILARITY,
) -> list[Match]:
    """Closed incidents that share at least `min_score` of this one's signals, best first."""
    mine = signals_of(incident)
    matches = []
    for other in others:
        if other.id == incident.id or other.is_open:
            continue
        score, shared = similarity(mine, signals_of(other))
        if score >= min_score:
            matches.append(Match(incident=other, score=score, shared=shared))
    matches.sort(key=lambda m: (-m.score, -(m.incident.closed_ns or 0), m.incident.id))
    return matches[:limit]


def settled_by(hypothesis: LoggedHypothesis) -> list[str]:
    """What settled a hypothesis: the reason it was confirmed or rejected, and its evidence."""
    found = [
        f"{change.status} by {change.actor}: {change.reason}"
        for change in hypothesis.history
        if change.status in (HypothesisStatus.CONFIRMED, HypothesisStatus.REJECTED)
        and change.reason
    ]
    for item in hypothesis.evidence:
        if item.get("kind") == EvidenceKind.DIAGNOSTIC.value:
            found.append(
                f"diagnostic {' '.join(item.get('command') or ())} (exit {item.get('exit_code')})"
            )
        elif item.get("kind") != EvidenceKind.MEASUREMENT.value:
            found.append(f"{item.get('kind')}: {item.get('label')}")
    return found


def memory_hypotheses(match: Match) -> list[dict[str, Any]]:
    """Hypothesis-log proposals from one match: each confirmed cause of the past incident."""
    past = match.incident
    proposals = []
    for cause in match.root_causes:
        checks = settled_by(cause)
        statement = (
            f"Seen before in {past.id} ({past.title}, similarity {match.score:.2f}): confirmed"
            f" root cause: {cause.statement}"
        )
        if checks:
            statement += f"; settled by {checks[0]}"
        proposals.append(
            {
                "statement": statement,
                "kind": cause.kind,
                "service": cause.service,
                "confidence": None,
                "details": {
                    "settled_by": checks,
                    "shared": match.shared,
                    "steps": list(cause.details.get("steps", ())),
                },
                "origin": {"incident": past.id, "hypothesis": cause.id, "similarity": match.score},
            }
        )
    return proposals


def match_json(match: Match) -> dict[str, Any]:
    """A match as the API shows it: the past incident, the score, the causes and checks."""
    past = match.incident
    return {
        "incident": past.id,
        "title": past.title,
        "severity": past.severity.value,
        "closed_unix_nano": past.closed_ns,
        "similarity": match.score,
        "shared": {k: list(v) for k, v in match.shared.items()},
        "root_causes": [
            {
                "hypothesis": h.id,
                "kind": h.kind or None,
                "service": h.service or None,
                "statement": h.statement,
                "settled_by": settled_by(h),
            }
            for h in match.root_causes
        ],
        "ruled_out": [
            {"hypothesis": h.id, "statement": h.statement, "settled_by": settled_by(h)}
            for h in past.hypotheses
            if h.status == HypothesisStatus.REJECTED
        ],
    }
