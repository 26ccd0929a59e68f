"""The timeline: the data's moments and the incident's own, merged in order with their links."""

from __future__ import annotations

from nightcall.incidents.state import fold
from nightcall.incidents.timeline import build_timeline, entry_from_json, entry_to_json
from nightcall.model import TimelineEntry, TimelineKind, TimelineSource
from tests.incidents.story import at, story_events


def _timeline() -> list[TimelineEntry]:
    events = story_events()
    return build_timeline(fold(events).data_timeline, events)


def test_entries_are_in_time_order_with_the_data_first_at_equal_times() -> None:
    """Deploy, onset, first anomaly, alert, opening ... recovery ... close, in time order."""
    timeline = _timeline()
    times = [e.time_ns for e in timeline]
    assert times == sorted(times)
    kinds = [e.kind for e in timeline]
    assert kinds[:5] == [
        TimelineKind.DEPLOY,
        TimelineKind.ONSET,
        TimelineKind.FIRST_ANOMALY,
        TimelineKind.ALERT_FIRED,
        TimelineKind.OPENED,
    ]
    assert kinds[-1] == TimelineKind.PHASE_CHANGED
    recovery = next(e for e in timeline if e.kind == TimelineKind.RECOVERY)
    assert recovery.time_ns == at(52)
    assert recovery.source == TimelineSource.DATA


def test_the_alert_is_placed_at_its_firing_and_links_its_runbook() -> None:
    """An incident opened by an alert shows the alert at the time it fired, before the opening."""
    alert = next(e for e in _timeline() if e.kind == TimelineKind.ALERT_FIRED)
    assert alert.time_ns == at(28)
    assert alert.title == "Alert checkout_p95_high fired: checkout p95 over 2 s"
    assert alert.link == "https://runbooks/checkout"


def test_people_s_entries_say_who_and_why_and_link_their_evidence() -> None:
    """Phase changes carry the reason, verdicts the measurement, evidence its own link."""
    timeline = _timeline()
    titles = [e.title for e in timeline]
    assert "Phase triage → stabilize: rolled payment back to 2.4.0" in titles
    assert "H1 rejected: pg_stat_statements: nothing over 50 ms" in titles
    assert "Note: Rollback done, watching p95" in titles
    evidence = [e for e in timeline if e.kind == TimelineKind.EVIDENCE_ATTACHED]
    assert [e.title for e in evidence] == [
        "Evidence for H2: a 1.8 s payment call",
        "Evidence for H2: socket_summary",
    ]
    assert evidence[0].actor == "bob"
    assert all(e.link for e in timeline)


def test_entries_round_trip_through_their_stored_form() -> None:
    """An entry written into a `data_read` event reads back equal."""
    entry = TimelineEntry(
        time_ns=5,
        kind=TimelineKind.ERROR_BURST,
        source=TimelineSource.DATA,
        title="Error burst in cart",
        service="cart",
        link="/api/v1/errors",
        evidence={"series": "error_events"},
    )
    assert entry_from_json(entry_to_json(entry)) == entry
