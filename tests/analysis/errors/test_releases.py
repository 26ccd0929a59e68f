"""Release health: events, groups and new groups per release, and the crash-free rate."""

from __future__ import annotations

from nightcall.analysis.errors import (
    ErrorHistory,
    ErrorOccurrence,
    EventSignature,
    FingerprintMethod,
    ReleaseHealth,
    SessionCounts,
    group_errors,
    summarize_releases,
)
from nightcall.store.queries_traces import Window

S = 1_000_000_000
T0 = 1_800_000_000 * S
WINDOW = Window(start_ns=T0, end_ns=T0 + 3600 * S)


def _event(number: int, fingerprint: str, release: str, user: str = "") -> ErrorOccurrence:
    signature = EventSignature(fingerprint=fingerprint, method=FingerprintMethod.MESSAGE,
                               components=(), exception_type="E", message="m", culprit=None,
                               trail=())  # fmt: skip
    return ErrorOccurrence(event_id=f"{number:032x}", time_ns=T0 + number * S, service="app",
                           signature=signature, release=release, user_id=user)  # fmt: skip


def test_releases_count_events_groups_and_new_groups() -> None:
    """Each release counts its events, distinct groups, users and the new groups it brought."""
    events = [
        _event(1, "a", "app@1", "u1"),
        _event(2, "a", "app@2", "u1"),
        _event(3, "b", "app@2", "u2"),
        _event(4, "b", "app@2", "u3"),
        _event(5, "c", "app@2"),
    ]
    history = ErrorHistory(last_seen_before_ns={"c": T0 - 3600 * S})  # c is not new
    groups = group_errors(events, window=WINDOW, history=history)
    first_seen = {("app", "app@1"): T0 - 100 * S, ("app", "app@2"): T0 - 10 * S}
    sessions = {"app@2": SessionCounts(started=200, crashed=3, errored=10)}
    rows = summarize_releases(groups, sessions=sessions, release_first_seen_ns=first_seen)
    assert rows == [
        ReleaseHealth(service="app", release="app@2", first_seen_ns=T0 - 10 * S, events=4,
                      groups=3, new_groups=1, users=3, sessions=sessions["app@2"]),
        ReleaseHealth(service="app", release="app@1", first_seen_ns=T0 - 100 * S, events=1,
                      groups=1, new_groups=1, users=1, sessions=None),
    ]  # fmt: skip
    assert rows[0].crash_free_rate == 0.985
    assert rows[1].crash_free_rate is None


def test_a_release_with_only_sessions_is_listed() -> None:
    """A release that sent sessions but no error in the window still shows its crash-free rate."""
    sessions = {"app@3": SessionCounts(started=50), "other@1": SessionCounts(started=4, crashed=4)}
    rows = summarize_releases([], sessions=sessions,
                              release_first_seen_ns={("app", "app@3"): T0})  # fmt: skip
    assert [(r.service, r.release, r.events, r.crash_free_rate) for r in rows] == [
        ("app", "app@3", 0, 1.0),
        ("", "other@1", 0, 0.0),
    ]
    assert SessionCounts().crash_free_rate is None
