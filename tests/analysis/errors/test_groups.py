"""Error groups from small exact event lists: counts, reach, flags, trails, series, impact."""

from __future__ import annotations

from nightcall.analysis.errors import (
    Counted,
    ErrorHistory,
    ErrorOccurrence,
    EventSignature,
    FingerprintMethod,
    GroupRules,
    GroupSort,
    Population,
    RegressionReason,
    Trail,
    group_errors,
    sort_groups,
    tag_distribution,
)
from nightcall.store.queries_traces import Window

S = 1_000_000_000
MIN = 60 * S
HOUR = 60 * MIN
DAY = 24 * HOUR
T0 = 1_800_000_000 * S - 1_800_000_000 * S % DAY  # a midnight, so buckets align with the window
WINDOW = Window(start_ns=T0, end_ns=T0 + HOUR)


def _signature(fingerprint: str, trail: tuple[str, ...] = ()) -> EventSignature:
    return EventSignature(fingerprint=fingerprint, method=FingerprintMethod.IN_APP_FRAMES,
                          components=(f"type:{fingerprint}",), exception_type="KeyError",
                          message=f"{fingerprint} <num>", culprit=None, trail=trail)  # fmt: skip


def _event(number: int, fingerprint: str, at_ns: int, **fields: object) -> ErrorOccurrence:
    values: dict[str, object] = {"service": "checkout", "release": "shop@2", **fields}
    trail = values.pop("trail", ())
    assert isinstance(trail, tuple)
    return ErrorOccurrence(
        event_id=f"{number:032x}",
        time_ns=at_ns,
        signature=_signature(fingerprint, trail),
        **values,  # type: ignore[arg-type]  # the test passes only ErrorOccurrence's fields
    )


def test_events_group_by_fingerprint_with_counts_and_reach() -> None:
    """Each group counts its events, distinct users and devices, releases, envs and services."""
    events = [
        _event(1, "a", T0 + 1 * MIN, user_id="u1", device="iPhone15,2", os="iOS 17.2",
               release="shop@1", environment="prod"),
        _event(2, "a", T0 + 2 * MIN, user_id="u2", device="iPhone15,2", os="iOS 17.2",
               environment="prod", level="fatal"),
        _event(3, "a", T0 + 3 * MIN, user_id="u1", device="Pixel 8", os="Android 14",
               environment="staging"),
        _event(4, "b", T0 + 4 * MIN, service="cart"),
    ]  # fmt: skip
    a, b = group_errors(events, window=WINDOW)
    assert (a.fingerprint, a.count, a.users, b.fingerprint, b.count) == ("a", 3, 2, "b", 1)
    assert a.devices == (Counted(value="iPhone15,2 / iOS 17.2", count=2),
                         Counted(value="Pixel 8 / Android 14", count=1))  # fmt: skip
    assert a.releases == ("shop@1", "shop@2")
    assert a.first_release == "shop@1"
    assert a.environments == ("prod", "staging")
    assert (a.services, b.services) == (("checkout",), ("cart",))
    assert (a.first_seen_ns, a.last_seen_ns) == (T0 + MIN, T0 + 3 * MIN)
    assert a.level == "fatal"
    assert a.title == "KeyError: a <num>"
    assert [o.event_id for o in a.occurrences] == [f"{n:032x}" for n in (3, 2, 1)]


def test_series_counts_per_bucket() -> None:
    """An hour's window has a one-minute step; each event lands in its minute's bucket."""
    events = [_event(n, "a", T0 + at) for n, at in enumerate((0, 30 * S, MIN, 59 * MIN + 59 * S))]
    (group,) = group_errors(events, window=WINDOW)
    assert (group.series.start_ns, group.series.step_ns) == (T0, MIN)
    assert len(group.series.counts) == 60
    assert group.series.counts[:2] == (2, 1)
    assert group.series.counts[-1] == 1
    assert sum(group.series.counts) == 4


def test_a_group_is_new_only_without_events_in_the_lookback() -> None:
    """No event in the 7 days before the window: new; one 3 days before: not; 8 days: new."""

    def is_new(previous_ns: int | None) -> bool:
        history = ErrorHistory(
            last_seen_before_ns={} if previous_ns is None else {"a": previous_ns}
        )
        (group,) = group_errors([_event(1, "a", T0 + MIN)], window=WINDOW, history=history)
        return group.is_new

    assert is_new(None)
    assert not is_new(T0 - 3 * DAY)
    assert is_new(T0 - 8 * DAY)
    history = ErrorHistory(last_seen_before_ns={"a": T0 - 3 * DAY})
    rules = GroupRules(new_lookback_s=2 * 86_400)
    (group,) = group_errors([_event(1, "a", T0 + MIN)], window=WINDOW, history=history,
                            rules=rules)  # fmt: skip
    assert group.is_new


def test_a_group_that_returns_after_a_quiet_day_regressed() -> None:
    """Quiet for two days before the window: a regression; quiet for one hour: none."""
    quiet = ErrorHistory(last_seen_before_ns={"a": T0 - 2 * DAY})
    (group,) = group_errors([_event(1, "a", T0 + MIN)], window=WINDOW, history=quiet)
    assert group.regression is RegressionReason.RETURNED_AFTER_QUIET
    assert (group.returned_ns, group.quiet_before_s) == (T0 + MIN, (2 * DAY + MIN) / S)
    assert group.previous_seen_ns == T0 - 2 * DAY
    assert not group.is_new
    busy = ErrorHistory(last_seen_before_ns={"a": T0 - HOUR})
    (group,) = group_errors([_event(1, "a", T0 + MIN)], window=WINDOW, history=busy)
    assert (group.is_regression, group.is_new, group.returned_ns) == (False, False, None)


def test_a_quiet_gap_inside_the_window_is_a_regression() -> None:
    """Within a three-day window, a group silent for 30 hours then back has regressed."""
    window = Window(start_ns=T0, end_ns=T0 + 3 * DAY)
    events = [_event(1, "a", T0 + HOUR), _event(2, "a", T0 + 31 * HOUR)]
    (group,) = group_errors(events, window=window)
    assert group.is_new
    assert group.regression is RegressionReason.RETURNED_AFTER_QUIET
    assert group.returned_ns == T0 + 31 * HOUR
    (steady,) = group_errors(events, window=window, rules=GroupRules(regression_quiet_s=40 * 3600))
    assert steady.regression is None


def test_new_in_a_later_release_is_a_regression() -> None:
    """A new group whose first event came with a release after the service's first regressed."""
    history = ErrorHistory(release_first_seen_ns={("checkout", "shop@1"): T0 - 10 * DAY,
                                                  ("checkout", "shop@2"): T0 - DAY,
                                                  ("cart", "cart@9"): T0 - 20 * DAY})  # fmt: skip
    events = [
        _event(1, "a", T0 + MIN, release="shop@2"),
        _event(2, "b", T0 + MIN, release="shop@1"),
        _event(3, "c", T0 + MIN, release=""),
    ]
    groups = {g.fingerprint: g for g in group_errors(events, window=WINDOW, history=history)}
    assert groups["a"].is_new
    assert groups["a"].regression is RegressionReason.NEW_IN_RELEASE
    assert groups["b"].is_new
    assert groups["b"].regression is None
    assert groups["c"].regression is None
    old = ErrorHistory(last_seen_before_ns={"a": T0 - HOUR},
                       release_first_seen_ns=history.release_first_seen_ns)  # fmt: skip
    (group,) = group_errors(events[:1], window=WINDOW, history=old)
    assert (group.is_new, group.regression) == (False, None)


def test_most_common_breadcrumb_trail_and_its_share() -> None:
    """The trail most events share is reported with the share of the group's events."""
    checkout = ("ui.click: cart", "ui.click: pay", "http: POST /api/pay 500")
    events = [
        _event(1, "a", T0 + MIN, trail=checkout),
        _event(2, "a", T0 + 2 * MIN, trail=checkout),
        _event(3, "a", T0 + 3 * MIN, trail=("ui.click: back",)),
        _event(4, "a", T0 + 4 * MIN),
    ]
    (group,) = group_errors(events, window=WINDOW)
    assert group.trail == Trail(crumbs=checkout, events=2, share=0.5)
    (bare,) = group_errors([_event(5, "b", T0)], window=WINDOW)
    assert bare.trail is None


def test_impact_divides_by_the_windows_population() -> None:
    """Shares are affected users and devices over all seen; unknown denominators give None."""
    events = [_event(1, "a", T0, user_id="u1", device="Pixel 8"),
              _event(2, "a", T0 + MIN, user_id="u2", device="Pixel 8")]  # fmt: skip
    (group,) = group_errors(events, window=WINDOW, population=Population(users=8, devices=4))
    impact = group.impact
    assert (impact.users, impact.users_seen, impact.user_share) == (2, 8, 0.25)
    assert (impact.devices, impact.devices_seen, impact.device_share) == (1, 4, 0.25)
    (unknown,) = group_errors(events, window=WINDOW)
    assert (unknown.impact.user_share, unknown.impact.device_share) == (None, None)


def test_sort_orders() -> None:
    """Groups sort by events, by last seen or by first seen, largest or latest first."""
    events = [_event(1, "a", T0 + 1 * MIN), _event(2, "a", T0 + 2 * MIN),
              _event(3, "b", T0 + 5 * MIN), _event(4, "c", T0 + 3 * MIN),
              _event(5, "c", T0 + 4 * MIN), _event(6, "c", T0 + 10 * S)]  # fmt: skip
    groups = group_errors(events, window=WINDOW)
    assert [g.fingerprint for g in groups] == ["c", "a", "b"]
    assert [g.fingerprint for g in sort_groups(groups, GroupSort.LAST_SEEN)] == ["b", "c", "a"]
    assert [g.fingerprint for g in sort_groups(groups, GroupSort.FIRST_SEEN)] == ["b", "a", "c"]


def test_tag_distribution_counts_top_values() -> None:
    """Per tag key (and device, os, release, browser), the most frequent values first."""
    events = [
        _event(1, "a", T0, tags=(("region", "eu"),), browser="Firefox 120", os="Linux"),
        _event(2, "a", T0, tags=(("region", "us"),), browser="Firefox 120", os="Linux"),
        _event(3, "a", T0, tags=(("region", "eu"),), browser="Chrome 119"),
    ]
    tags = tag_distribution(events, top=1)
    assert tags == {
        "browser": (Counted(value="Firefox 120", count=2),),
        "os": (Counted(value="Linux", count=2),),
        "region": (Counted(value="eu", count=2),),
        "release": (Counted(value="shop@2", count=3),),
    }
