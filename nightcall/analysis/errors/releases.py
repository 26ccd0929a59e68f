"""Release health: per (service, release), its error events and groups, and its crash-free rate.

Events and groups come from the window's error groups; a release's new groups are the new ones
whose first event came with it. Sessions (Sentry release health) carry the release but not the
service, so they are matched by release name alone; where a release has sessions, its
crash-free rate is `1 - crashed / started`, as Sentry reports it. A release that sent only
sessions is listed too, under the service that sent its error events before, if any.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from nightcall.analysis.errors.groups import ErrorGroup


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionCounts:
    """Sessions of one release in the window, by how they ended."""

    started: int = 0
    crashed: int = 0
    errored: int = 0
    abnormal: int = 0

    @property
    def crash_free_rate(self) -> float | None:
        """The share of started sessions that did not crash; None without sessions."""
        return max(0.0, 1.0 - self.crashed / self.started) if self.started else None


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseHealth:
    """One release of one service in the window."""

    service: str  # "" when only sessions name the release
    release: str
    first_seen_ns: int | None  # its first error event ever, when it sent one
    events: int
    groups: int
    new_groups: int
    users: int
    sessions: SessionCounts | None

    @property
    def crash_free_rate(self) -> float | None:
        return self.sessions.crash_free_rate if self.sessions else None


@dataclass(slots=True)
class _Tally:
    events: int = 0
    groups: int = 0
    new_groups: int = 0
    users: set[str] = field(default_factory=set)


def summarize_releases(
    groups: Iterable[ErrorGroup],
    *,
    sessions: Mapping[str, SessionCounts] | None = None,
    release_first_seen_ns: Mapping[tuple[str, str], int] | None = None,
) -> list[ReleaseHealth]:
    """Each (service, release) with events or sessions in the window, newest release first.

    Args:
        groups: the window's error groups (`group_errors`).
        sessions: session counts per release name, for the releases that sent any.
        release_first_seen_ns: (service, release) -> its first error event ever; it orders
            the list and names the service of a release known only from sessions.
    """
    sessions = sessions or {}
    first_seen = release_first_seen_ns or {}
    tallies: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for group in groups:
        seen: set[tuple[str, str]] = set()
        for occurrence in group.occurrences:
            key = (occurrence.service, occurrence.release)
            tally = tallies[key]
            tally.events += 1
            if occurrence.user_id:
                tally.users.add(occurrence.user_id)
            if key not in seen:
                seen.add(key)
                tally.groups += 1
        if group.is_new:
            first = group.occurrences[-1]
            tallies[first.service, first.release].new_groups += 1
    named = {release for _, release in tallies}
    for release in sessions:
        if release in named:
            continue
        services = sorted(s for (s, r) in first_seen if r == release)
        tallies[services[0] if services else "", release] = _Tally()
    rows = [
        ReleaseHealth(
            service=service,
            release=release,
            first_seen_ns=first_seen.get((service, release)),
            events=tally.events,
            groups=tally.groups,
            new_groups=tally.new_groups,
            users=len(tally.users),
            sessions=sessions.get(release),
        )
        for (service, release), tally in tallies.items()
    ]
    return sorted(rows, key=lambda r: (-(r.first_seen_ns or 0), r.service, r.release))
