"""Read queries behind error groups: the window's events, their stacks, and what came before.

Grouping needs each event's stack and breadcrumbs, which live in the `Event` JSON; the engine
extracts just those parts (`JSONExtractRaw`), so SDK extras such as installed modules and frame
variables never leave it. Everything else is reduced in the engine: the history before the
window is at most `per_kind` events per (service, exception type), releases are their first
time seen, sessions are sums per release and status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from nightcall.store.connection import Row, literal, literal_list
from nightcall.store.queries_errors import ErrorFilter
from nightcall.store.schema import ERROR_EVENTS, SUM
from nightcall.store.store import Store

_NS = "toUnixTimestamp64Nano(Timestamp)"
OCCURRENCE_COLUMNS = (
    f"{_NS} AS ns, EventId, ServiceName, Release, Environment, Level, UserId, DeviceModel, "
    "OsName, OsVersion, ExceptionType, ExceptionValue, Platform, Tags, "
    "Contexts['browser.name'] AS Browser"
)
EVENT_PARTS = ("exception", "threads", "stacktrace", "fingerprint", "breadcrumbs")
SESSION_METRIC = "sentry.sessions"


@dataclass(frozen=True, slots=True, kw_only=True)
class Occurrences:
    """The newest events of a scope, and how many the scope holds in all."""

    rows: list[Row]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.rows)


def _kinds_sql(kinds: Sequence[tuple[str, str]]) -> str:
    pairs = ", ".join(f"({literal(s)}, {literal(t)})" for s, t in kinds)
    return f"(ServiceName, ExceptionType) IN ({pairs})"


def fetch_occurrences(store: Store, query: ErrorFilter, *, max_events: int) -> Occurrences:
    """The newest `max_events` events that match `query` (light columns, newest first)."""
    where = " AND ".join(query.conditions())
    rows = store.select(
        f"SELECT {OCCURRENCE_COLUMNS} FROM {store.table(ERROR_EVENTS.name)} WHERE {where}"
        f" ORDER BY ns DESC, EventId DESC LIMIT {literal(max_events + 1)}"
    )
    total = len(rows)
    if total > max_events:
        counted = store.select(f"SELECT count() AS n FROM {store.table(ERROR_EVENTS.name)} "
                               f"WHERE {where}")  # fmt: skip
        total = int(counted[0]["n"])
    return Occurrences(rows=rows[:max_events], total=total)


def fetch_prior_occurrences(
    store: Store, query: ErrorFilter, kinds: Sequence[tuple[str, str]], *, per_kind: int
) -> tuple[list[Row], bool]:
    """The newest `per_kind` events of each (service, exception type) in `query`'s window,
    and whether any kind had more."""
    if not kinds:
        return [], False
    where = " AND ".join([*query.conditions(), _kinds_sql(kinds)])
    rows = store.select(
        f"SELECT {OCCURRENCE_COLUMNS} FROM {store.table(ERROR_EVENTS.name)} WHERE {where}"
        f" ORDER BY ns DESC, EventId DESC LIMIT {literal(per_kind + 1)} BY ServiceName,"
        " ExceptionType"
    )
    per = Counter((r["ServiceName"], r["ExceptionType"]) for r in rows)
    full = {kind for kind, n in per.items() if n > per_kind}
    kept: list[Row] = []
    seen: Counter[tuple[str, str]] = Counter()
    for row in rows:
        kind = (row["ServiceName"], row["ExceptionType"])
        seen[kind] += 1
        if seen[kind] <= per_kind:
            kept.append(row)
    return kept, bool(full)


def fetch_event_parts(
    store: Store, query: ErrorFilter, *, since_ns: int, until_ns: int
) -> dict[str, dict[str, str]]:
    """Event id -> the raw JSON of the parts grouping reads (`EVENT_PARTS`; "" when absent),
    for the events of `query` from `since_ns` to `until_ns` inclusive."""
    parts = ", ".join(f"JSONExtractRaw(Event, {literal(p)}) AS `{p}`" for p in EVENT_PARTS)
    where = " AND ".join([
        *query.conditions(),
        f"Timestamp >= fromUnixTimestamp64Nano({literal(since_ns)})",
        f"Timestamp <= fromUnixTimestamp64Nano({literal(until_ns)})",
    ])  # fmt: skip
    rows = store.select(
        f"SELECT EventId, {parts} FROM {store.table(ERROR_EVENTS.name)} WHERE {where}"
    )
    return {str(r["EventId"]): {p: str(r[p]) for p in EVENT_PARTS} for r in rows}


def release_first_seen(store: Store, services: Sequence[str]) -> dict[tuple[str, str], int]:
    """(service, release) -> Unix ns of the release's first error event ever, for `services`."""
    if not services:
        return {}
    rows = store.select(
        f"SELECT ServiceName, Release, min({_NS}) AS first_ns"
        f" FROM {store.table(ERROR_EVENTS.name)}"
        f" WHERE Release != '' AND has({literal_list(sorted(set(services)))}, ServiceName)"
        " GROUP BY ServiceName, Release"
    )
    return {(str(r["ServiceName"]), str(r["Release"])): int(r["first_ns"]) for r in rows}


def releases_by_name(store: Store, releases: Sequence[str]) -> dict[tuple[str, str], int]:
    """(service, release) -> first error event ever, for releases known by name only."""
    if not releases:
        return {}
    rows = store.select(
        f"SELECT ServiceName, Release, min({_NS}) AS first_ns"
        f" FROM {store.table(ERROR_EVENTS.name)}"
        f" WHERE has({literal_list(sorted(set(releases)))}, Release)"
        " GROUP BY ServiceName, Release"
    )
    return {(str(r["ServiceName"]), str(r["Release"])): int(r["first_ns"]) for r in rows}


def population(store: Store, query: ErrorFilter) -> tuple[int, int]:
    """Distinct users, and distinct devices (model and os), that sent any event in `query`."""
    rows = store.select(
        "SELECT uniqExactIf(UserId, UserId != '') AS users,"
        " uniqExactIf((DeviceModel, OsName, OsVersion), DeviceModel != '' OR OsName != '')"
        f" AS devices FROM {store.table(ERROR_EVENTS.name)}"
        f" WHERE {' AND '.join(query.conditions())}"
    )
    return int(rows[0]["users"]), int(rows[0]["devices"])


def session_counts(
    store: Store, query: ErrorFilter, *, releases: Sequence[str] | None = None
) -> dict[str, dict[str, int]]:
    """Release -> session status (`started`, `crashed`, ...) -> sessions in the window.

    Sessions carry release and environment but no service; `releases` narrows them.
    """
    if releases is not None and not releases:
        return {}
    conditions = [f"MetricName = {literal(SESSION_METRIC)}", query.window.sql("TimeUnix")]
    if query.environment:
        conditions.append(f"Attributes['environment'] = {literal(query.environment)}")
    if query.release:
        conditions.append(f"Attributes['release'] = {literal(query.release)}")
    if releases is not None:
        conditions.append(f"has({literal_list(sorted(set(releases)))}, Attributes['release'])")
    rows = store.select(
        "SELECT Attributes['release'] AS release, Attributes['status'] AS status,"
        f" sum(Value) AS n FROM {store.table(SUM.name)} WHERE {' AND '.join(conditions)}"
        " GROUP BY release, status"
    )
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        found.setdefault(str(row["release"]), {})[str(row["status"])] = int(row["n"])
    return found
