"""Fact tables for dimension attribution, counted by the engine with GROUP BY.

Two populations:

- error events: per combination of device, OS, app version, release, environment and the
  most present tags, the events in the window (`failed`) against the events in the window
  and a baseline window before it (`total`). Sentry events carry no count of the sessions
  that did not crash, so the baseline's events stand in for the population; given one error
  group's events, only they are failed, among all events.
- spans of one service: per combination of span name, kind and the most present span and
  resource attributes, the spans that failed (status Error) or were slow, among all.

Dimensions are chosen before counting: identifiers (trace and user ids, URLs, `*.id`) and
outcomes (status codes, error types) never are, nor keys whose values are mostly unique; each
keeps its `max_values` most frequent values, the rest read `(other)` and a missing value
`(none)`. The answer carries its SQL, so a finding built on it can show its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from nightcall.store.connection import literal, literal_list
from nightcall.store.queries_traces import Window
from nightcall.store.schema import ERROR_EVENTS, TRACES
from nightcall.store.store import Store

Population = Literal["errors", "failed_spans", "slow_spans"]
POPULATIONS: tuple[Population, ...] = ("errors", "failed_spans", "slow_spans")
OTHER = "(other)"
MISSING = "(none)"
MAX_ROWS = 200_000

ID_SUFFIXES = (".id", "_id", ".uuid", "_uuid", ".ids")
ID_KEYS = frozenset(
    {
        "id", "trace_id", "span_id", "traceid", "spanid", "event_id", "request_id", "user",
        "url.full", "url.path", "url.query", "http.url", "http.target", "http.uri",
        "db.statement", "db.query.text", "message", "exception.message", "exception.stacktrace",
        "process.command_line", "process.command_args", "process.pid",
    }
)  # fmt: skip
# Attributes that describe the failure rather than where it happens: explaining failures by
# their own status code is circular.
OUTCOME_KEYS = frozenset(
    {
        "error", "error.type", "error.message", "exception.type", "exception.escaped",
        "http.response.status_code", "http.status_code", "rpc.grpc.status_code",
        "otel.status_code", "otel.status_description", "status", "status_code", "level",
    }
)  # fmt: skip
# Where a failure usually lives, in the order a person names it; these come first, so when
# two keys split the spans alike the more telling one is kept.
PREFERRED_KEYS = (
    "service.version", "deployment.environment.name", "deployment.environment",
    "cloud.region", "cloud.availability_zone", "k8s.cluster.name", "k8s.namespace.name",
    "k8s.deployment.name", "k8s.node.name", "k8s.pod.name", "host.name", "container.name",
    "http.route", "http.request.method", "rpc.method", "messaging.destination.name",
    "server.address", "peer.service", "db.system", "db.operation.name", "db.namespace",
)  # fmt: skip
# Error-event columns as dimensions, and the tags that only repeat them.
_ERROR_COLUMNS = (
    ("device.model", "DeviceModel"),
    ("os.name", "OsName"),
    ("os.version", "OsVersion"),
    ("app.version", "AppVersion"),
    ("release", "Release"),
    ("environment", "Environment"),
    ("platform", "Platform"),
)
_REPEATED_TAGS = frozenset(
    {"service", "device", "device.model", "device.family", "os", "os.name", "os.version",
     "os.rooted", "release", "environment", "level", "platform", "dist", "mechanism",
     "handled"}
)  # fmt: skip


def is_identifier(key: str) -> bool:
    """Whether `key` names an identifier or a free-text value, which no dimension should be."""
    lowered = key.lower()
    return lowered in ID_KEYS or lowered.endswith(ID_SUFFIXES)


def is_outcome(key: str) -> bool:
    """Whether `key` records how an item failed (its status or error), not where it ran."""
    return key.lower() in OUTCOME_KEYS


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionCounts:
    """Failed and total items per combination of dimension values, and how they were counted.

    `comparison` is "rate" when `failed` is a part of `total` (error spans among spans), and
    "baseline" when `failed` counts the window's items and `total - failed` the baseline's.
    """

    population: Population
    dimensions: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], int, int], ...]
    comparison: Literal["rate", "baseline"]
    failed_noun: str
    population_noun: str
    query: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Dimension:
    name: str
    column: str  # a SQL expression of the raw value
    kept: tuple[str, ...]

    def sql(self) -> str:
        value = f"toString({self.column})"
        return (
            f"if({value} = '', {literal(MISSING)}, "
            f"if(has({literal_list(self.kept)}, {value}), {value}, {literal(OTHER)}))"
        )


def error_counts(
    store: Store,
    window: Window,
    *,
    baseline: Window,
    service: str | None = None,
    group_event_ids: Sequence[str] | None = None,
    max_values: int = 20,
    max_tags: int = 5,
) -> DimensionCounts:
    """Error events per combination, in `window` (failed) and in it or `baseline` (total).

    With `group_event_ids` (the window's events of one error group, as the grouping found
    them), only those count as failed, among all events of both windows: where one crash
    happens against where crashes happen at all, which tells a device-specific crash from
    background crashes that share its OS.
    """
    table = store.table(ERROR_EVENTS.name)
    where = f"({window.sql()} OR {baseline.sql()})"
    if service:
        where += f" AND ServiceName = {literal(service)}"
    columns = list(_ERROR_COLUMNS) if service else [("service.name", "ServiceName"),
                                                   *_ERROR_COLUMNS]  # fmt: skip
    tops = ", ".join(f"topK({max_values})({column}) AS `{name}`" for name, column in columns)
    (top,) = store.select(f"SELECT {tops} FROM {table} WHERE {where}") or [{}]
    dimensions = [
        _Dimension(name=name, column=column, kept=tuple(str(v) for v in top.get(name, [])))
        for name, column in columns
    ]
    for key, kept in _top_keys(store, table, "Tags", where, max_values=max_values):
        if len(dimensions) - len(columns) >= max_tags:
            break
        if key.lower() not in _REPEATED_TAGS:
            dimensions.append(_Dimension(name=key, column=f"Tags[{literal(key)}]", kept=kept))
    if group_event_ids is not None:
        ids = literal_list([i.replace("-", "").lower() for i in group_event_ids])
        failed = f"countIf({window.sql()} AND has({ids}, EventId))"
        return _count(
            store, table, where, dimensions, failed,
            population="errors", comparison="rate",
            failed_noun="events of this error", population_noun="error events",
        )  # fmt: skip
    return _count(
        store, table, where, dimensions, f"countIf({window.sql()})",
        population="errors", comparison="baseline",
        failed_noun="error events", population_noun="error events",
    )  # fmt: skip


def span_counts(
    store: Store,
    window: Window,
    *,
    service: str,
    population: Literal["failed_spans", "slow_spans"],
    baseline: Window | None = None,
    slow_threshold_ns: int | None = None,
    slow_quantile: float = 0.95,
    max_values: int = 20,
    max_keys: int = 8,
) -> DimensionCounts:
    """Spans of `service` in `window` per combination: failed or slow ones, and all.

    A span is slow when it lasts longer than `slow_threshold_ns`, or by default than the
    `slow_quantile` of its own operation's durations in `baseline` (or in `window` without
    one), so a slow database call is not compared with a slow page.
    """
    table = store.table(TRACES.name)
    where = f"{window.sql()} AND ServiceName = {literal(service)}"
    attributes = "mapUpdate(ResourceAttributes, SpanAttributes)"
    tops = f"topK({max_values})(SpanName) AS names, topK({max_values})(SpanKind) AS kinds"
    (top,) = store.select(f"SELECT {tops} FROM {table} WHERE {where}") or [{}]
    keys = _top_keys(store, table, attributes, where, max_values=max_values)
    dimensions = [
        _Dimension(name=key, column=f"{attributes}[{literal(key)}]", kept=kept)
        for key, kept in keys[:max_keys]
    ]
    # Last, so where a route or a version splits the spans as the span name does, the
    # attribute is the one kept and named.
    dimensions.append(
        _Dimension(name="span.name", column="SpanName", kept=tuple(top.get("names", [])))
    )
    dimensions.append(
        _Dimension(name="span.kind", column="SpanKind", kept=tuple(top.get("kinds", [])))
    )
    if population == "failed_spans":
        failed = "countIf(StatusCode = 'Error')"
    elif slow_threshold_ns is not None:
        failed = f"countIf(Duration > {literal(slow_threshold_ns)})"
    else:
        failed = _slow_condition(store, table, baseline or window, service, slow_quantile)
    return _count(
        store, table, where, dimensions, failed,
        population=population, comparison="rate",
        failed_noun="error spans" if population == "failed_spans" else "slow spans",
        population_noun="spans",
    )  # fmt: skip


def _slow_condition(store: Store, table: str, window: Window, service: str, quantile: float) -> str:
    rows = store.select(
        f"SELECT toString(SpanName) AS name, quantile({literal(quantile)})(Duration) AS threshold"
        f" FROM {table} WHERE {window.sql()} AND ServiceName = {literal(service)}"
        " GROUP BY name ORDER BY name"
    )
    names = [str(r["name"]) for r in rows]
    limits = ", ".join(literal(float(r["threshold"])) for r in rows)
    # Operations the threshold window never saw cannot be slow for want of a threshold.
    return (
        f"countIf(Duration > transform(toString(SpanName), {literal_list(names)},"
        f" [{limits}]::Array(Float64), 9e18))"
        if names
        else "0"
    )


def _top_keys(
    store: Store, table: str, attributes: str, where: str, *, max_values: int
) -> list[tuple[str, tuple[str, ...]]]:
    """The attribute keys fit to be dimensions, preferred ones first, then the most present,
    each with its `max_values` most frequent values."""
    rows = store.select(
        f"""
        SELECT key, count() AS present, uniq(value) AS uniques,
               topK({max_values})(value) AS top,
               (SELECT count() FROM {table} WHERE {where}) AS items
        FROM (SELECT {attributes} AS attributes FROM {table} WHERE {where})
        ARRAY JOIN mapKeys(attributes) AS key, mapValues(attributes) AS value
        GROUP BY key
        """
    )
    fit = []
    for row in rows:
        key, present, distinct = str(row["key"]), int(row["present"]), int(row["uniques"])
        if key == "service.name" or is_identifier(key) or is_outcome(key):
            continue
        if present < 0.01 * int(row["items"]):
            continue
        if distinct > max_values and distinct > 0.5 * present:
            continue  # mostly unique values: an identifier by another name
        fit.append((key, present, tuple(str(v) for v in row["top"])))
    rank = {key: i for i, key in enumerate(PREFERRED_KEYS)}
    fit.sort(key=lambda f: (rank.get(f[0], len(rank)), -f[1], f[0]))
    return [(key, top) for key, _, top in fit]


def _count(
    store: Store,
    table: str,
    where: str,
    dimensions: Sequence[_Dimension],
    failed: str,
    *,
    population: Population,
    comparison: Literal["rate", "baseline"],
    failed_noun: str,
    population_noun: str,
) -> DimensionCounts:
    values = ", ".join(d.sql() for d in dimensions)
    query = (
        f"SELECT [{values}] AS dims, {failed} AS failed, count() AS total"
        f" FROM {table} WHERE {where} GROUP BY dims ORDER BY total DESC"
        f" LIMIT {MAX_ROWS}"
    )
    rows = store.select(query)
    return DimensionCounts(
        population=population,
        dimensions=tuple(d.name for d in dimensions),
        rows=tuple(
            (tuple(str(v) for v in r["dims"]), int(r["failed"]), int(r["total"])) for r in rows
        ),
        comparison=comparison,
        failed_noun=failed_noun,
        population_noun=population_noun,
        query=query,
    )
