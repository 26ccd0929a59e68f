"""The fold: an incident's events, replayed, give its current state."""

from __future__ import annotations

from dataclasses import replace

import pytest

from nightcall.incidents.state import fold
from nightcall.model import (
    HypothesisSource,
    HypothesisStatus,
    IncidentEvent,
    IncidentEventKind,
    Phase,
    Severity,
)
from tests.incidents.story import DIAGNOSTIC, at, story_events


def test_the_story_folds_to_a_closed_incident_with_its_log() -> None:
    """Phases, commander, scope, data, hypothesis verdicts and notes all come from the events."""
    incident = fold(story_events())
    assert (incident.id, incident.title, incident.severity) == (
        "INC-1",
        "Checkout is slow",
        Severity.P1,
    )
    assert incident.phase == Phase.CLOSED
    assert not incident.is_open
    assert incident.closed_ns == at(70)
    assert [c.phase for c in incident.phases] == [
        Phase.DETECT,
        Phase.TRIAGE,
        Phase.STABILIZE,
        Phase.DIAGNOSE,
        Phase.FIX,
        Phase.CLOSED,
    ]
    assert incident.phases[2].reason == "rolled payment back to 2.4.0"
    assert incident.phases[2].actor == "alice"
    assert incident.commander == "alice"
    assert incident.scope.services == ("checkout", "payment")
    assert incident.onset_ns == at(25)
    assert incident.recovery_ns == at(52)
    h1, h2 = incident.hypotheses
    assert (h1.status, h2.status) == (HypothesisStatus.REJECTED, HypothesisStatus.CONFIRMED)
    assert h1.history[-1].reason == "pg_stat_statements: nothing over 50 ms"
    assert h2.source == HypothesisSource.ENGINE
    assert h2.evidence[-1] == DIAGNOSTIC  # attached evidence is appended after the engine's
    assert len(h2.evidence) == 3
    assert incident.confirmed == (h2,)
    assert [n.text for n in incident.notes] == ["Rollback done, watching p95"]
    assert incident.event_count == len(story_events())
    assert incident.updated_ns == at(70)


def test_a_hypothesis_is_found_by_any_spelling_of_its_id() -> None:
    """H2, h2 and 2 name the same entry of the log."""
    incident = fold(story_events())
    assert incident.hypothesis("h2") is incident.hypothesis("2") is incident.hypothesis("H2")
    assert incident.hypothesis("H9") is None


def _then(kind: IncidentEventKind, payload: dict[str, object]) -> list[IncidentEvent]:
    events = story_events()[:3]
    return [
        *events,
        IncidentEvent(
            incident_id="INC-1", seq=4, time_ns=at(40), kind=kind, actor="carol", payload=payload
        ),
    ]


def test_a_scope_set_by_hand_survives_a_new_reading_of_the_data() -> None:
    """Edited fields stay as set; the fields nobody edited follow the next computed scope."""
    events = _then(IncidentEventKind.SCOPE_EDITED, {"services": ["checkout"], "reason": "x"})
    events.append(
        IncidentEvent(
            incident_id="INC-1",
            seq=5,
            time_ns=at(41),
            kind=IncidentEventKind.SCOPE_COMPUTED,
            actor="carol",
            payload={"services": ["a", "b"], "user_count": 99},
        )
    )
    scope = fold(events).scope
    assert scope.services == ("checkout",)
    assert scope.user_count == 99
    assert scope.edited == ("services",)


def test_an_empty_postmortem_edit_gives_the_section_back_to_the_data() -> None:
    """Text is kept per section; an empty text removes the edit."""
    events = _then(IncidentEventKind.POSTMORTEM_EDITED, {"section": "lessons", "text": "- x"})
    assert fold(events).postmortem_edits == {"lessons": "- x"}
    events.append(
        IncidentEvent(
            incident_id="INC-1",
            seq=5,
            time_ns=at(41),
            kind=IncidentEventKind.POSTMORTEM_EDITED,
            actor="carol",
            payload={"section": "lessons", "text": ""},
        )
    )
    assert fold(events).postmortem_edits == {}


def test_a_record_with_a_gap_or_no_opening_is_refused() -> None:
    """Events must start with `opened` and number 1, 2, 3 ... without gaps."""
    events = story_events()
    with pytest.raises(ValueError, match="begin with its `opened` event"):
        fold(events[1:])
    with pytest.raises(ValueError, match="event 4 was expected"):
        fold([*events[:3], replace(events[4], seq=5)])
