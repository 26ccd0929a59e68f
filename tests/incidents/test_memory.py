"""Memory of past incidents: weighted Jaccard over shared signals, and what the match says."""

from __future__ import annotations

from dataclasses import replace

from nightcall.incidents.memory import (
    match_json,
    memory_hypotheses,
    signals_of,
    similar_incidents,
    similarity,
)
from nightcall.incidents.state import fold
from nightcall.model import Incident, Phase
from tests.incidents.story import story_events


def _past() -> Incident:
    return fold(story_events())


def _new(**signals: tuple[str, ...]) -> Incident:
    base = fold(story_events()[:3])
    return replace(base, id="INC-2", signals=signals)


def test_identical_signals_score_one_and_disjoint_ones_zero() -> None:
    """Weighted Jaccard: all shared gives 1, nothing shared gives 0."""
    a = {
        "fingerprints": frozenset({"x"}),
        "hypotheses": frozenset({"k:s"}),
        "templates": frozenset({"t"}),
        "services": frozenset({"s"}),
    }
    assert similarity(a, a)[0] == 1.0
    b = {name: frozenset({"other"}) for name in a}
    assert similarity(a, b) == (0.0, {})


def test_sharing_only_services_is_not_enough() -> None:
    """Two incidents on the same services but with other errors and causes do not match."""
    new = _new(services=("checkout", "payment"), fingerprints=("beef",))
    assert similar_incidents(new, [_past()]) == []


def test_a_closed_incident_with_the_same_errors_and_cause_matches() -> None:
    """The confirmed cause stands for the past incident's signals, and the match says so."""
    new = _new(
        fingerprints=("f00d",),
        hypotheses=("slow_dependency:payment",),
        services=("checkout", "payment"),
        templates=(),
    )
    (match,) = similar_incidents(new, [_past()])
    assert match.incident.id == "INC-1"
    assert match.score >= 0.8
    assert match.shared["hypotheses"] == ("slow_dependency:payment",)
    assert signals_of(_past())["hypotheses"] == frozenset({"slow_dependency:payment"})
    shown = match_json(match)
    (cause,) = shown["root_causes"]
    assert cause["statement"] == "The payment API got slow"
    assert "confirmed by bob: payment API 1.8 s in traces" in cause["settled_by"]
    assert "diagnostic ss -s (exit 0)" in cause["settled_by"]
    assert shown["ruled_out"][0]["hypothesis"] == "H1"


def test_open_incidents_and_the_incident_itself_are_not_matches() -> None:
    """Only closed incidents are memory; an incident never matches itself."""
    past = _past()
    reopened = replace(past, id="INC-3", phase=Phase.DIAGNOSE)
    assert similar_incidents(past, [past, reopened]) == []


def test_a_match_proposes_its_confirmed_cause_as_a_hypothesis() -> None:
    """The proposal names the past incident, its cause, and the check that settled it."""
    new = _new(fingerprints=("f00d",), hypotheses=("slow_dependency:payment",))
    (match,) = similar_incidents(new, [_past()])
    (proposal,) = memory_hypotheses(match)
    assert proposal["statement"].startswith("Seen before in INC-1 (Checkout is slow, similarity")
    assert "confirmed root cause: The payment API got slow" in proposal["statement"]
    assert "settled by confirmed by bob: payment API 1.8 s in traces" in proposal["statement"]
    assert (proposal["kind"], proposal["service"]) == ("slow_dependency", "payment")
    assert proposal["origin"]["incident"] == "INC-1"
