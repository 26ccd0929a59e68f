"""Diagnoses as the API shows them: hypotheses, candidates and anomalies as flat JSON records."""

from __future__ import annotations

from typing import Any

from nightcall.explain import Diagnosis
from nightcall.model import Finding, Hypothesis, format_time_ns


def hypothesis_json(hypothesis: Hypothesis, rank: int) -> dict[str, Any]:
    """One hypothesis: DESIGN's `{kind, service, confidence, statement, evidence, steps}`, and
    its symptom, impact, stabilization and diagnostics."""
    return {
        "rank": rank,
        "kind": hypothesis.kind.value,
        "service": hypothesis.service,
        "confidence": hypothesis.confidence,
        "statement": hypothesis.statement,
        "symptom": hypothesis.symptom,
        "impact": hypothesis.impact,
        "target": hypothesis.target or None,
        "onset": format_time_ns(hypothesis.onset_ns),
        "onset_unix_nano": hypothesis.onset_ns,
        "evidence": [item.to_json() for item in hypothesis.evidence],
        "steps": list(hypothesis.steps),
        "stabilize": list(hypothesis.stabilize),
        "diagnostics": list(hypothesis.diagnostics),
        "score": hypothesis.score,
    }


def anomaly_json(finding: Finding) -> dict[str, Any]:
    """One anomaly finding with its series, window, numbers and voters."""
    return {
        "series": str(finding.series),
        "name": finding.series.name,
        "labels": dict(finding.series.labels),
        "service": finding.service or None,
        "kind": finding.kind.value,
        "detector": finding.detector,
        "voters": list(finding.voters),
        "recurring": finding.is_recurring,
        "onset": format_time_ns(finding.onset_ns),
        "onset_unix_nano": finding.onset_ns,
        "start_unix_nano": finding.start_ns,
        "end_unix_nano": finding.end_ns,
        "score": finding.score,
        "direction": finding.direction.value,
        "baseline": finding.baseline,
        "observed": finding.observed,
        "unit": finding.unit,
        "summary": finding.summary,
        "evidence": [{"name": e.name, "value": e.value, "unit": e.unit} for e in finding.evidence],
        "query": finding.query,
    }


def window_json(diagnosis: Diagnosis) -> dict[str, Any]:
    window = diagnosis.window
    return {
        "start": format_time_ns(window.start_ns),
        "end": format_time_ns(window.end_ns),
        "start_unix_nano": window.start_ns,
        "end_unix_nano": window.end_ns,
        "step_s": diagnosis.step_ns / 1e9,
    }


def diagnosis_json(diagnosis: Diagnosis, *, limit: int) -> dict[str, Any]:
    """The answer of GET /api/v1/hypotheses."""
    onset = diagnosis.onset_ns
    return {
        "hypotheses": [
            hypothesis_json(h, rank) for rank, h in enumerate(diagnosis.hypotheses[:limit], 1)
        ],
        "candidates": [
            {
                "rank": rank,
                "service": c.service,
                "score": c.score,
                "signals": [
                    {
                        "series": str(x.shift.key),
                        "z": x.shift.z,
                        "weight": round(x.weight, 3),
                        "note": x.note or None,
                    }
                    for x in c.strongest(3)
                ],
            }
            for rank, c in enumerate(diagnosis.candidates, 1)
        ],
        "onset": format_time_ns(onset) if onset is not None else None,
        "onset_unix_nano": onset,
        "window": window_json(diagnosis),
        "series": diagnosis.series_count,
        "timings_s": diagnosis.timings_s,
        "next": None,
    }
