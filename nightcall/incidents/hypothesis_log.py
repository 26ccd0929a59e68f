"""The hypothesis log's changes: proposals (engine, person, memory) and updates, checked.

Each function returns the payload of one `hypothesis_proposed` or `hypothesis_updated` event,
or raises a BadRequest saying what is missing; numbering continues the log (H1, H2, ...).
Like the seeds' "H1: DB slow → pg_stat_statements → REJECTED; H2: payment API 1.8 s in traces
→ CONFIRMED", every verdict keeps who gave it, why, and the evidence behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nightcall.errors import BadRequest, NotFound
from nightcall.incidents.evidence import check_evidence_list, evidence_from_engine
from nightcall.incidents.memory import Match, memory_hypotheses
from nightcall.incidents.protocol import check_status_change
from nightcall.model import Hypothesis, HypothesisSource, HypothesisStatus, Incident

ENGINE_HYPOTHESES = 5  # the engine's top hypotheses that enter the log


def engine_proposal(hypothesis: Hypothesis, number: int) -> dict[str, Any]:
    """A proposal from one of the engine's hypotheses, with its evidence and next steps."""
    return {
        "id": f"H{number}",
        "statement": hypothesis.statement,
        "kind": hypothesis.kind.value,
        "service": hypothesis.service,
        "source": HypothesisSource.ENGINE.value,
        "confidence": hypothesis.confidence,
        "evidence": [evidence_from_engine(item) for item in hypothesis.evidence],
        "details": {
            "symptom": hypothesis.symptom,
            "impact": hypothesis.impact,
            "target": hypothesis.target,
            "onset_ns": hypothesis.onset_ns,
            "steps": list(hypothesis.steps),
            "stabilize": list(hypothesis.stabilize),
            "diagnostics": list(hypothesis.diagnostics),
        },
    }


def engine_proposals(
    incident: Incident | None, hypotheses: Sequence[Hypothesis]
) -> list[dict[str, Any]]:
    """The engine's top hypotheses that the log does not hold yet (by kind and service)."""
    logged = incident.hypotheses if incident else ()
    known = {(h.kind, h.service) for h in logged if h.source == HypothesisSource.ENGINE}
    proposals: list[dict[str, Any]] = []
    for hypothesis in hypotheses[:ENGINE_HYPOTHESES]:
        if (hypothesis.kind.value, hypothesis.service) not in known:
            proposals.append(engine_proposal(hypothesis, len(logged) + len(proposals) + 1))
    return proposals


def memory_proposals(incident: Incident, matches: Sequence[Match]) -> list[dict[str, Any]]:
    """The confirmed causes of similar closed incidents the log has not taken from them yet."""
    taken = {h.origin.get("incident") for h in incident.hypotheses}
    proposals: list[dict[str, Any]] = []
    for match in matches:
        if match.incident.id in taken:
            continue
        for proposal in memory_hypotheses(match):
            number = len(incident.hypotheses) + len(proposals) + 1
            proposals.append(
                {**proposal, "id": f"H{number}", "source": HypothesisSource.MEMORY.value}
            )
    return proposals


def person_proposal(
    incident: Incident,
    statement: str,
    *,
    kind: str = "",
    service: str = "",
    evidence: Sequence[Mapping[str, Any]] = (),
    note: str = "",
) -> dict[str, Any]:
    """A person's hypothesis as the next H-number."""
    if not statement.strip():
        raise BadRequest(
            "a hypothesis needs a statement",
            location="statement",
            hint="e.g. 'the database is slow: pg_stat_statements will show it'",
        )
    return {
        "id": f"H{len(incident.hypotheses) + 1}",
        "statement": statement.strip(),
        "kind": kind,
        "service": service,
        "source": HypothesisSource.PERSON.value,
        "evidence": check_evidence_list(evidence),
        "note": note,
    }


def hypothesis_update(
    incident: Incident,
    hypothesis_id: str,
    *,
    status: HypothesisStatus | None = None,
    note: str | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
    reason: str = "",
) -> dict[str, Any]:
    """A change of a hypothesis' status, note or evidence (evidence is appended)."""
    logged = incident.hypothesis(hypothesis_id)
    if logged is None:
        ids = ", ".join(h.id for h in incident.hypotheses) or "none yet"
        raise NotFound(
            f"{incident.id} has no hypothesis {hypothesis_id}",
            location="hypothesis",
            hint=f"its hypotheses: {ids}",
        )
    payload: dict[str, Any] = {"id": logged.id}
    if status is not None:
        check_status_change(logged.id, logged.status, status, reason)
        payload |= {"status": status.value, "reason": reason}
    if note is not None:
        payload["note"] = note
    checked = check_evidence_list(evidence)
    if checked:
        payload["evidence"] = checked
    if len(payload) == 1:
        raise BadRequest(
            f"nothing to change on {logged.id}",
            location="hypothesis",
            hint="give a status, a note or evidence",
        )
    return payload
