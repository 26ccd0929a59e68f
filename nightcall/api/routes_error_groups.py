"""Error groups over HTTP: `GET /api/v1/errors`, `/api/v1/errors/releases`, `/{fingerprint}`.

A group is one kind of error in the window (see `nightcall.analysis.errors.groups`): its
count, users, devices, releases, a count series ready for a sparkline, the new and regression
flags, the breadcrumbs that most often led to it and its impact. The app includes this router
after the event routes, so `/api/v1/errors/events` is never read as a fingerprint; inside it,
`/releases` comes before `/{fingerprint}` for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from nightcall.analysis.errors.groups import (
    DEFAULT_NEW_LOOKBACK_S,
    DEFAULT_REGRESSION_QUIET_S,
    ErrorGroup,
    GroupRules,
    GroupSort,
    sort_groups,
    tag_distribution,
)
from nightcall.analysis.errors.releases import ReleaseHealth
from nightcall.analysis.errors.signature import Culprit
from nightcall.analysis.errors.signature_cache import SignatureCache
from nightcall.api.error_groups import DEFAULT_MAX_EVENTS, ErrorGroupReader, GroupedWindow
from nightcall.api.params import Limit, TimeParam, request_window
from nightcall.errors import NotFound
from nightcall.model import format_time_ns
from nightcall.store.queries_errors import ErrorFilter
from nightcall.store.store import Store

IMPACT_BASIS = (
    "users and devices (model and os) that sent any Sentry event in the window and filters; "
    "sessions carry no user, so users who only ran sessions are not counted"
)
SAMPLE_EVENTS = 10
TOP_DEVICES = 5

MaxEvents = Annotated[
    int,
    Query(ge=1, le=100_000, description="Most events analysed (the newest); `truncated` says "
          "when the window held more."),
]  # fmt: skip
NewLookback = Annotated[
    float,
    Query(ge=0, description="A group is new when it had no event this long before the window."),
]
RegressionQuiet = Annotated[
    float,
    Query(gt=0, description="A group that returns after this long without events regressed."),
]


def _time(unix_ns: int | None, name: str) -> dict[str, Any]:
    return {
        name: format_time_ns(unix_ns) if unix_ns is not None else None,
        f"{name}_unix_nano": unix_ns,
    }


def culprit_json(culprit: Culprit | None) -> dict[str, Any] | None:
    if culprit is None:
        return None
    return {
        "function": culprit.function,
        "module": culprit.module or None,
        "filename": culprit.filename or None,
        "lineno": culprit.lineno,
        "in_app": culprit.is_in_app,
        "text": culprit.text(),
    }


def group_json(group: ErrorGroup) -> dict[str, Any]:
    """One group as the list answers it."""
    impact = group.impact
    return {
        "fingerprint": group.fingerprint,
        "title": group.title,
        "exception_type": group.signature.exception_type or None,
        "message": group.signature.message or None,
        "level": group.level,
        "culprit": culprit_json(group.culprit),
        "count": group.count,
        "users": group.users,
        "devices": len(group.devices),
        "top_devices": [{"device": d.value, "count": d.count} for d in group.devices[:TOP_DEVICES]],
        **_time(group.first_seen_ns, "first_seen"),
        **_time(group.last_seen_ns, "last_seen"),
        "releases": list(group.releases),
        "first_release": group.first_release or None,
        "environments": list(group.environments),
        "services": list(group.services),
        "is_new": group.is_new,
        "is_regression": group.is_regression,
        "regression_reason": str(group.regression) if group.regression else None,
        **_time(group.previous_seen_ns, "previous_seen"),
        **_time(group.returned_ns, "returned"),
        "quiet_before_s": group.quiet_before_s,
        "series": {
            "start_unix_nano": group.series.start_ns,
            "step_s": group.series.step_ns / 1e9,
            "counts": list(group.series.counts),
        },
        "breadcrumbs": {
            "trail": list(group.trail.crumbs),
            "events": group.trail.events,
            "share": group.trail.share,
        }
        if group.trail
        else None,
        "impact": {
            "users": impact.users,
            "users_seen": impact.users_seen,
            "user_share": impact.user_share,
            "devices": impact.devices,
            "devices_seen": impact.devices_seen,
            "device_share": impact.device_share,
            "basis": IMPACT_BASIS,
        },
    }


def group_detail_json(group: ErrorGroup) -> dict[str, Any]:
    """One group with its sample events, tag distribution and fingerprint components."""
    return {
        **group_json(group),
        "sample_event_ids": [o.event_id for o in group.occurrences[:SAMPLE_EVENTS]],
        "tags": {
            key: [{"value": c.value, "count": c.count} for c in values]
            for key, values in tag_distribution(group.occurrences).items()
        },
        "fingerprint_method": str(group.signature.method),
        "fingerprint_components": list(group.signature.components),
    }


def release_json(row: ReleaseHealth) -> dict[str, Any]:
    sessions = row.sessions
    return {
        "service": row.service or None,
        "release": row.release or None,
        **_time(row.first_seen_ns, "first_seen"),
        "events": row.events,
        "groups": row.groups,
        "new_groups": row.new_groups,
        "users": row.users,
        "sessions": {
            "started": sessions.started,
            "crashed": sessions.crashed,
            "errored": sessions.errored,
            "abnormal": sessions.abnormal,
        }
        if sessions
        else None,
        "crash_free_rate": row.crash_free_rate,
    }


def _coverage(grouped: GroupedWindow) -> dict[str, Any]:
    return {
        "start": grouped.window.start_ns,
        "end": grouped.window.end_ns,
        "events_total": grouped.events_total,
        "events_analysed": grouped.events_analysed,
        "truncated": grouped.truncated,
        "history_truncated": grouped.history_truncated,
    }


def error_groups_router(
    store: Store, now_ns: Callable[[], int], *, cache: SignatureCache | None = None
) -> APIRouter:
    """Routes bound to one store, one clock and one signature cache (made here by default)."""
    router = APIRouter(prefix="/api/v1/errors", tags=["errors"])
    reader = ErrorGroupReader(store, cache=cache)

    def query(
        start: str | None,
        end: str | None,
        service: str | None,
        release: str | None,
        environment: str | None,
    ) -> ErrorFilter:
        window = request_window(start, end, now_ns=now_ns(), default_start="-24h")
        return ErrorFilter(window=window, service=service, release=release, environment=environment)

    @router.get("", summary="Error groups in the window: counts, reach, new and regressed")
    def groups(
        start: TimeParam = None,
        end: TimeParam = None,
        service: str | None = None,
        release: str | None = None,
        environment: str | None = None,
        limit: Limit = 50,
        sort: GroupSort = GroupSort.COUNT,
        max_events: MaxEvents = DEFAULT_MAX_EVENTS,
        new_lookback_s: NewLookback = DEFAULT_NEW_LOOKBACK_S,
        regression_quiet_s: RegressionQuiet = DEFAULT_REGRESSION_QUIET_S,
    ) -> dict[str, Any]:
        rules = GroupRules(new_lookback_s=new_lookback_s, regression_quiet_s=regression_quiet_s)
        grouped = reader.read(
            query(start, end, service, release, environment), rules=rules, max_events=max_events
        )
        ordered = sort_groups(grouped.groups, sort)[:limit]
        return {"errors": [group_json(g) for g in ordered], "next": None, **_coverage(grouped)}

    @router.get("/releases", summary="Per release: events, groups, new groups, crash-free rate")
    def releases(
        start: TimeParam = None,
        end: TimeParam = None,
        service: str | None = None,
        environment: str | None = None,
        max_events: MaxEvents = DEFAULT_MAX_EVENTS,
        new_lookback_s: NewLookback = DEFAULT_NEW_LOOKBACK_S,
        regression_quiet_s: RegressionQuiet = DEFAULT_REGRESSION_QUIET_S,
    ) -> dict[str, Any]:
        rules = GroupRules(new_lookback_s=new_lookback_s, regression_quiet_s=regression_quiet_s)
        health, grouped = reader.releases(
            query(start, end, service, None, environment), rules=rules, max_events=max_events
        )
        return {"releases": [release_json(r) for r in health], "next": None,
                **_coverage(grouped)}  # fmt: skip

    @router.get("/{fingerprint}", summary="One error group with its samples and tag values")
    def group(
        fingerprint: Annotated[str, Path(pattern="^[0-9a-fA-F]{32}$")],
        start: TimeParam = None,
        end: TimeParam = None,
        service: str | None = None,
        release: str | None = None,
        environment: str | None = None,
        max_events: MaxEvents = DEFAULT_MAX_EVENTS,
        new_lookback_s: NewLookback = DEFAULT_NEW_LOOKBACK_S,
        regression_quiet_s: RegressionQuiet = DEFAULT_REGRESSION_QUIET_S,
    ) -> dict[str, Any]:
        rules = GroupRules(new_lookback_s=new_lookback_s, regression_quiet_s=regression_quiet_s)
        grouped = reader.read(
            query(start, end, service, release, environment), rules=rules, max_events=max_events
        )
        wanted = fingerprint.lower()
        found = next((g for g in grouped.groups if g.fingerprint == wanted), None)
        if found is None:
            raise NotFound(
                f"no error group has fingerprint {fingerprint!r} between "
                f"{format_time_ns(grouped.window.start_ns)} and "
                f"{format_time_ns(grouped.window.end_ns)}",
                location="fingerprint",
                hint="list the window's groups with `nightcall errors` or GET /api/v1/errors, "
                "or widen start and end; an event id goes to `nightcall errors event ID`",
            )
        return {**group_detail_json(found), **_coverage(grouped)}

    return router
