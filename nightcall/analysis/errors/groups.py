"""Error groups: a window's events grouped by fingerprint, with their counts, reach and flags.

Grouping happens at query time (ingest never analyses): each event's `EventSignature` names its
group, and the group gathers what a person triages by: how often, how many users and devices,
which releases, environments and services, a count series, the breadcrumbs that most often led
to it, and two flags.

- `is_new`: the group's first event falls in the window and it had no event in the
  `new_lookback_s` before the window (7 days by default).
- regression: it came back after at least `regression_quiet_s` without events (24 hours by
  default; the gap may begin before the window), or it is new and its first event came with a
  release that is not the service's first release (a deploy brought it).

What happened before the window arrives as an `ErrorHistory` the caller looked up; the impact
shares divide by the users and devices that sent any event in the window (`Population`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from nightcall.analysis.errors.signature import Culprit, EventSignature
from nightcall.analysis.errors.timeline import CountSeries, bucket_counts, choose_step_ns
from nightcall.store.queries_traces import Window

_NS_PER_S = 1_000_000_000
DEFAULT_NEW_LOOKBACK_S = 7 * 86_400.0
DEFAULT_REGRESSION_QUIET_S = 86_400.0
LEVEL_RANK = {"debug": 0, "info": 1, "warning": 2, "error": 3, "fatal": 4}


class RegressionReason(StrEnum):
    """Why a group counts as a regression."""

    RETURNED_AFTER_QUIET = "returned_after_quiet"
    NEW_IN_RELEASE = "new_in_release"


class GroupSort(StrEnum):
    """The orders groups can be listed in (each largest or latest first)."""

    COUNT = "count"
    LAST_SEEN = "last_seen"
    FIRST_SEEN = "first_seen"


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorOccurrence:
    """One stored error event, reduced to what grouping reads."""

    event_id: str
    time_ns: int
    service: str
    signature: EventSignature
    release: str = ""
    environment: str = ""
    level: str = "error"
    user_id: str = ""
    device: str = ""  # the device model
    os: str = ""  # name and version: "iOS 17.2"
    browser: str = ""
    tags: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupRules:
    """The periods behind the new and regression flags, and the series' resolution."""

    new_lookback_s: float = DEFAULT_NEW_LOOKBACK_S
    regression_quiet_s: float = DEFAULT_REGRESSION_QUIET_S
    max_buckets: int = 60

    @property
    def lookback_s(self) -> float:
        """How far before the window the history must reach for both flags."""
        return max(self.new_lookback_s, self.regression_quiet_s)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorHistory:
    """What is known from before the window."""

    # fingerprint -> its newest event before the window, within `GroupRules.lookback_s`
    last_seen_before_ns: Mapping[str, int] = field(default_factory=dict)
    # (service, release) -> the release's first event ever, for the service's first release
    release_first_seen_ns: Mapping[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Population:
    """Distinct users and devices that sent any event in the window; None when unknown."""

    users: int | None = None
    devices: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Impact:
    """A group's users and devices, and their share of everyone seen in the window."""

    users: int
    users_seen: int | None
    devices: int
    devices_seen: int | None

    @property
    def user_share(self) -> float | None:
        return min(1.0, self.users / self.users_seen) if self.users_seen else None

    @property
    def device_share(self) -> float | None:
        return min(1.0, self.devices / self.devices_seen) if self.devices_seen else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Counted:
    """A value and how many events had it."""

    value: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Trail:
    """The most common breadcrumb trail before a group's crashes, and how many events had it."""

    crumbs: tuple[str, ...]
    events: int
    share: float  # of all the group's events


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorGroup:
    """One kind of error in the window (see the module docstring for the flags)."""

    fingerprint: str
    signature: EventSignature  # the newest event's: title, culprit, components
    level: str  # the most severe level among its events
    count: int
    first_seen_ns: int
    last_seen_ns: int
    users: int
    devices: tuple[Counted, ...]  # "model / os", most events first
    releases: tuple[str, ...]  # in the order they first appear
    first_release: str
    environments: tuple[str, ...]
    services: tuple[str, ...]
    series: CountSeries
    is_new: bool
    regression: RegressionReason | None
    previous_seen_ns: int | None  # its newest event before the window
    returned_ns: int | None  # when it came back after the quiet period
    quiet_before_s: float | None
    trail: Trail | None
    impact: Impact
    occurrences: tuple[ErrorOccurrence, ...]  # newest first

    @property
    def title(self) -> str:
        return self.signature.title

    @property
    def culprit(self) -> Culprit | None:
        return self.signature.culprit

    @property
    def is_regression(self) -> bool:
        return self.regression is not None


def _device(occurrence: ErrorOccurrence) -> str:
    return " / ".join(p for p in (occurrence.device, occurrence.os) if p)


def most_common_trail(occurrences: Sequence[ErrorOccurrence]) -> Trail | None:
    """The trail most events share (ties: the lexically first), or None when none has crumbs."""
    counts = Counter(o.signature.trail for o in occurrences if o.signature.trail)
    if not counts:
        return None
    crumbs, events = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return Trail(crumbs=crumbs, events=events, share=events / len(occurrences))


def _ordered_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _service_first_release(history: ErrorHistory, service: str) -> str:
    releases = [(ns, r) for (s, r), ns in history.release_first_seen_ns.items() if s == service]
    return min(releases)[1] if releases else ""


def _regression(
    times_ns: Sequence[int], previous_ns: int | None, quiet_ns: float
) -> tuple[int | None, float | None]:
    """The latest return after a quiet period, and how long that quiet lasted (seconds)."""
    returned: tuple[int | None, float | None] = (None, None)
    before = previous_ns
    for time_ns in times_ns:
        if before is not None and time_ns - before >= quiet_ns:
            returned = (time_ns, (time_ns - before) / _NS_PER_S)
        before = time_ns
    return returned


def _group(
    fingerprint: str,
    members: list[ErrorOccurrence],
    *,
    window: Window,
    step_ns: int,
    history: ErrorHistory,
    population: Population,
    rules: GroupRules,
) -> ErrorGroup:
    oldest_first = sorted(members, key=lambda o: (o.time_ns, o.event_id))
    newest = oldest_first[-1]
    times = [o.time_ns for o in oldest_first]
    previous_ns = history.last_seen_before_ns.get(fingerprint)
    new_since_ns = window.start_ns - rules.new_lookback_s * _NS_PER_S
    is_new = window.start_ns <= times[0] and (previous_ns is None or previous_ns < new_since_ns)
    returned_ns, quiet_s = _regression(times, previous_ns, rules.regression_quiet_s * _NS_PER_S)
    first_release = next((o.release for o in oldest_first if o.release), "")
    service_first = _service_first_release(history, oldest_first[0].service)
    regression: RegressionReason | None = None
    if returned_ns is not None:
        regression = RegressionReason.RETURNED_AFTER_QUIET
    elif is_new and first_release and service_first and first_release != service_first:
        regression = RegressionReason.NEW_IN_RELEASE
    devices = Counter(d for o in members if (d := _device(o)))
    users = len({o.user_id for o in members if o.user_id})
    return ErrorGroup(
        fingerprint=fingerprint,
        signature=newest.signature,
        level=max((o.level for o in members), key=lambda lv: LEVEL_RANK.get(lv, 3)),
        count=len(members),
        first_seen_ns=times[0],
        last_seen_ns=times[-1],
        users=users,
        devices=tuple(
            Counted(value=v, count=c) for v, c in sorted(devices.items(), key=lambda i: -i[1])
        ),
        releases=_ordered_unique(o.release for o in oldest_first),
        first_release=first_release,
        environments=_ordered_unique(o.environment for o in oldest_first),
        services=_ordered_unique(o.service for o in oldest_first),
        series=bucket_counts(times, window, step_ns),
        is_new=is_new,
        regression=regression,
        previous_seen_ns=previous_ns,
        returned_ns=returned_ns,
        quiet_before_s=quiet_s,
        trail=most_common_trail(members),
        impact=Impact(
            users=users,
            users_seen=population.users,
            devices=len(devices),
            devices_seen=population.devices,
        ),
        occurrences=tuple(reversed(oldest_first)),
    )


def group_errors(
    occurrences: Iterable[ErrorOccurrence],
    *,
    window: Window,
    history: ErrorHistory | None = None,
    population: Population | None = None,
    rules: GroupRules | None = None,
) -> list[ErrorGroup]:
    """The window's events grouped by fingerprint, most events first.

    Args:
        occurrences: the events to group; those outside `window` still group and count but
            fall outside the series.
        window: the range the series covers and the flags are judged against.
        history: newest events before the window per fingerprint, and each release's first
            event; without it every group that starts in the window is new.
        population: users and devices seen in the window, the impact shares' denominators.
        rules: the new and regression periods and the series' resolution.
    """
    rules = rules or GroupRules()
    history = history or ErrorHistory()
    population = population or Population()
    step_ns = choose_step_ns(window, max_buckets=rules.max_buckets)
    by_fingerprint: dict[str, list[ErrorOccurrence]] = defaultdict(list)
    for occurrence in occurrences:
        by_fingerprint[occurrence.signature.fingerprint].append(occurrence)
    groups = [
        _group(
            fingerprint,
            members,
            window=window,
            step_ns=step_ns,
            history=history,
            population=population,
            rules=rules,
        )
        for fingerprint, members in by_fingerprint.items()
    ]
    return sort_groups(groups, GroupSort.COUNT)


def sort_groups(groups: Iterable[ErrorGroup], by: GroupSort) -> list[ErrorGroup]:
    """Groups largest (`count`) or latest (`last_seen`, `first_seen`) first; ties by recency."""
    if by is GroupSort.COUNT:
        return sorted(groups, key=lambda g: (-g.count, -g.last_seen_ns, g.fingerprint))
    if by is GroupSort.FIRST_SEEN:
        return sorted(groups, key=lambda g: (-g.first_seen_ns, -g.count, g.fingerprint))
    return sorted(groups, key=lambda g: (-g.last_seen_ns, -g.count, g.fingerprint))


def tag_distribution(
    occurrences: Sequence[ErrorOccurrence], *, top: int = 5
) -> dict[str, tuple[Counted, ...]]:
    """Per tag key, its `top` most frequent values: the event's tags and the device, os,
    release, environment and browser it came from."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for o in occurrences:
        derived = (("device", o.device), ("os", o.os), ("release", o.release),
                   ("environment", o.environment), ("browser", o.browser))  # fmt: skip
        for key, value in (*derived, *o.tags):
            if value:
                counts[key][value] += 1
    return {
        key: tuple(
            Counted(value=v, count=c)
            for v, c in sorted(values.items(), key=lambda i: (-i[1], i[0]))[:top]
        )
        for key, values in sorted(counts.items())
    }
