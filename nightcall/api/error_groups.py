"""Error groups for the API: fetch a window's events, sign each once (cached), group them.

The store answers reduced rows; the signatures (fingerprint, title, culprit, breadcrumb trail)
come from `nightcall.analysis.errors`, computed only for events the reader's LRU has not seen,
from just the parts of their JSON grouping reads. At most `max_events` events of the window are
analysed (the newest); the answer says when there were more. The history before the window,
which decides the new and regression flags, is at most `per_kind` events per (service,
exception type) (so events of another type that share a custom fingerprint are not looked
for); the answer says when that cut anything. When the window itself was cut, the flags are
judged on the events analysed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from nightcall.analysis.errors.groups import (
    ErrorGroup,
    ErrorHistory,
    ErrorOccurrence,
    GroupRules,
    Population,
    group_errors,
)
from nightcall.analysis.errors.releases import ReleaseHealth, SessionCounts, summarize_releases
from nightcall.analysis.errors.signature import EventSignature, event_signature
from nightcall.analysis.errors.signature_cache import SignatureCache
from nightcall.store.connection import Row
from nightcall.store.queries_error_groups import (
    fetch_event_parts,
    fetch_occurrences,
    fetch_prior_occurrences,
    population,
    release_first_seen,
    releases_by_name,
    session_counts,
)
from nightcall.store.queries_errors import ErrorFilter
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

DEFAULT_MAX_EVENTS = 10_000
DEFAULT_PER_KIND = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupedWindow:
    """A window's error groups and how complete the input was."""

    window: Window
    groups: list[ErrorGroup]
    events_total: int
    events_analysed: int
    history_truncated: bool
    release_first_seen_ns: Mapping[tuple[str, str], int]

    @property
    def truncated(self) -> bool:
        return self.events_total > self.events_analysed


def _decoded(raw: str) -> Any:
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None  # the engine extracted it from JSON we wrote: only a damaged part lands here


def _event(row: Row, parts: Mapping[str, str] | None) -> dict[str, Any]:
    """The parts of the stored event grouping reads, or a stand-in built from the row."""
    event: dict[str, Any] = {"platform": row["Platform"]}
    for key, raw in (parts or {}).items():
        if (value := _decoded(raw)) is not None:
            event[key] = value
    if "exception" not in event and row["ExceptionType"]:
        event["exception"] = {
            "values": [{"type": row["ExceptionType"], "value": row["ExceptionValue"]}]
        }
    if "exception" not in event:
        event["message"] = row["ExceptionValue"]
    return event


def _occurrence(row: Row, signature: EventSignature) -> ErrorOccurrence:
    return ErrorOccurrence(
        event_id=str(row["EventId"]),
        time_ns=int(row["ns"]),
        service=str(row["ServiceName"]),
        signature=signature,
        release=str(row["Release"]),
        environment=str(row["Environment"]),
        level=str(row["Level"]),
        user_id=str(row["UserId"]),
        device=str(row["DeviceModel"]),
        os=" ".join(p for p in (str(row["OsName"]), str(row["OsVersion"])) if p),
        browser=str(row["Browser"]),
        tags=tuple(sorted((str(k), str(v)) for k, v in (row["Tags"] or {}).items())),
    )


class ErrorGroupReader:
    """Reads error groups and release health from one store, caching signatures per event."""

    def __init__(
        self,
        store: Store,
        *,
        cache: SignatureCache | None = None,
        per_kind: int = DEFAULT_PER_KIND,
    ):
        self.store = store
        self.cache = cache or SignatureCache()
        self.per_kind = per_kind

    def _occurrences(self, query: ErrorFilter, rows: list[Row]) -> list[ErrorOccurrence]:
        unique = list({str(r["EventId"]): r for r in reversed(rows)}.values())[::-1]
        signatures = self.cache.get_many(str(r["EventId"]) for r in unique)
        missing = [r for r in unique if str(r["EventId"]) not in signatures]
        if missing:
            times = [int(r["ns"]) for r in missing]
            parts = fetch_event_parts(self.store, query, since_ns=min(times), until_ns=max(times))
            fresh = {
                str(r["EventId"]): event_signature(_event(r, parts.get(str(r["EventId"]))))
                for r in missing
            }
            self.cache.put_many(fresh)
            signatures.update(fresh)
        return [_occurrence(r, signatures[str(r["EventId"])]) for r in unique]

    def _history(
        self, query: ErrorFilter, rows: list[Row], rules: GroupRules
    ) -> tuple[dict[str, int], bool]:
        """Each fingerprint's newest event before the window, within the rules' lookback."""
        start_ns = query.window.start_ns
        before = ErrorFilter(
            window=Window(start_ns=max(0, start_ns - int(rules.lookback_s * 1e9)), end_ns=start_ns),
            service=query.service,
            environment=query.environment,
        )
        kinds = sorted({(str(r["ServiceName"]), str(r["ExceptionType"])) for r in rows})
        if before.window.end_ns <= before.window.start_ns:
            return {}, False
        prior, truncated = fetch_prior_occurrences(
            self.store, before, kinds, per_kind=self.per_kind
        )
        newest: dict[str, int] = {}
        for occurrence in self._occurrences(before, prior):
            fingerprint = occurrence.signature.fingerprint
            newest[fingerprint] = max(newest.get(fingerprint, 0), occurrence.time_ns)
        return newest, truncated

    def read(
        self, query: ErrorFilter, *, rules: GroupRules, max_events: int = DEFAULT_MAX_EVENTS
    ) -> GroupedWindow:
        """The groups of the newest `max_events` events that match `query`."""
        found = fetch_occurrences(self.store, query, max_events=max_events)
        occurrences = self._occurrences(query, found.rows)
        last_before, history_truncated = self._history(query, found.rows, rules)
        services = sorted({o.service for o in occurrences})
        first_seen = release_first_seen(self.store, services)
        users, devices = population(self.store, query)
        groups = group_errors(
            occurrences,
            window=query.window,
            history=ErrorHistory(last_seen_before_ns=last_before, release_first_seen_ns=first_seen),
            population=Population(users=users or None, devices=devices or None),
            rules=rules,
        )
        return GroupedWindow(
            window=query.window,
            groups=groups,
            events_total=found.total,
            events_analysed=len(occurrences),
            history_truncated=history_truncated,
            release_first_seen_ns=first_seen,
        )

    def releases(
        self, query: ErrorFilter, *, rules: GroupRules, max_events: int = DEFAULT_MAX_EVENTS
    ) -> tuple[list[ReleaseHealth], GroupedWindow]:
        """Each release's events, groups, new groups and crash-free rate in the window."""
        grouped = self.read(query, rules=rules, max_events=max_events)
        first_seen = dict(grouped.release_first_seen_ns)
        if query.service:
            first_seen |= release_first_seen(self.store, [query.service])
            names: list[str] | None = [r for s, r in first_seen if s == query.service]
        else:
            names = None
        counts = session_counts(self.store, query, releases=names)
        unknown = [r for r in counts if not any(r == known for _, known in first_seen)]
        first_seen |= releases_by_name(self.store, unknown)
        sessions = {
            release: SessionCounts(
                started=by_status.get("started", 0),
                crashed=by_status.get("crashed", 0),
                errored=by_status.get("errored", 0),
                abnormal=by_status.get("abnormal", 0),
            )
            for release, by_status in counts.items()
        }
        health = summarize_releases(
            grouped.groups, sessions=sessions, release_first_seen_ns=first_seen
        )
        return health, grouped
