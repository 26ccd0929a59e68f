"""The protocol's phase machine and the hypothesis statuses: what may follow what, and why not."""

from __future__ import annotations

import itertools

import pytest

from nightcall.errors import BadRequest
from nightcall.incidents.protocol import (
    NEXT_PHASES,
    PHASE_GOALS,
    check_status_change,
    check_transition,
    parse_phase,
    parse_status,
)
from nightcall.model import HypothesisStatus, Phase


def test_the_usual_path_runs_from_detect_to_closed() -> None:
    """detect → triage → stabilize → diagnose → fix → postmortem → closed, one step at a time."""
    path = list(Phase)
    for current, target in itertools.pairwise(path):
        check_transition("INC-1", current, target)


def test_a_refused_move_names_the_allowed_next_phases() -> None:
    """Skipping from detect to fix is refused with the phases detect may go to."""
    with pytest.raises(BadRequest) as caught:
        check_transition("INC-4", Phase.DETECT, Phase.FIX)
    assert "cannot move INC-4 from detect to fix" in caught.value.message
    assert caught.value.hint == "allowed next phases from detect: triage, closed"
    assert caught.value.location == "phase"


def test_moving_to_the_same_phase_says_it_is_already_there() -> None:
    """A move to the current phase is refused as a no-op, not as a protocol violation."""
    with pytest.raises(BadRequest, match="already there"):
        check_transition("INC-1", Phase.DIAGNOSE, Phase.DIAGNOSE)


def test_stabilize_and_diagnose_alternate_and_a_failed_fix_goes_back() -> None:
    """Stabilizing may follow diagnosing and back; a fix that did not hold returns to diagnose."""
    check_transition("INC-1", Phase.DIAGNOSE, Phase.STABILIZE)
    check_transition("INC-1", Phase.STABILIZE, Phase.DIAGNOSE)
    check_transition("INC-1", Phase.FIX, Phase.DIAGNOSE)
    check_transition("INC-1", Phase.CLOSED, Phase.TRIAGE)


def test_every_phase_has_next_phases_and_a_goal() -> None:
    """The machine covers every phase, and each phase says what it asks of people."""
    assert set(NEXT_PHASES) == set(Phase) == set(PHASE_GOALS)


def test_phase_and_status_names_are_read_in_any_case_or_refused_with_the_choices() -> None:
    """`Triage` reads as triage; an unknown name lists the valid ones."""
    assert parse_phase(" Triage ") == Phase.TRIAGE
    assert parse_status("CONFIRMED") == HypothesisStatus.CONFIRMED
    with pytest.raises(BadRequest) as caught:
        parse_phase("mitigate")
    assert caught.value.hint is not None
    assert "stabilize" in caught.value.hint
    with pytest.raises(BadRequest, match="not a hypothesis status"):
        parse_status("maybe")


def test_settling_a_hypothesis_needs_a_reason() -> None:
    """Rejecting or confirming, or reopening a settled one, needs the measurement behind it."""
    check_status_change("H1", HypothesisStatus.PROPOSED, HypothesisStatus.INVESTIGATING, "")
    with pytest.raises(BadRequest, match="needs a reason") as caught:
        check_status_change("H1", HypothesisStatus.INVESTIGATING, HypothesisStatus.REJECTED, " ")
    assert caught.value.location == "reason"
    with pytest.raises(BadRequest, match="needs a reason"):
        check_status_change("H1", HypothesisStatus.CONFIRMED, HypothesisStatus.INVESTIGATING, "")
    check_status_change("H1", HypothesisStatus.PROPOSED, HypothesisStatus.CONFIRMED, "traces")
    with pytest.raises(BadRequest, match="already confirmed"):
        check_status_change("H1", HypothesisStatus.CONFIRMED, HypothesisStatus.CONFIRMED, "x")
