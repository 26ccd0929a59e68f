"""Read queries over metric points: the catalogue of names, and aggregated series.

The engine reduces points to one row per (group, series, step bucket); counters and cumulative
histograms are then turned into per-second rates here, per series, so a counter reset or two
instruments with the same name never produce negative or doubled rates.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from nightcall.errors import BadRequest, NotFound
from nightcall.model import format_time_ns
from nightcall.store.connection import literal
from nightcall.store.queries_traces import Window
from nightcall.store.schema import METRIC_TABLES, Table
from nightcall.store.series_math import (
    HistogramSum,
    counter_rates,
    histogram_quantile,
    merge_histograms,
)
from nightcall.store.store import Store

METRIC_TYPES = {
    "otel_metrics_gauge": "gauge",
    "otel_metrics_sum": "sum",
    "otel_metrics_histogram": "histogram",
    "otel_metrics_exponential_histogram": "exponential_histogram",
    "otel_metrics_summary": "summary",
}
GAUGE_AGGS = {
    "avg": "avg(Value)",
    "min": "min(Value)",
    "max": "max(Value)",
    "sum": "sum(Value)",
    "last": "argMax(Value, TimeUnix)",
    "count": "count()",
}
HISTOGRAM_AGGS = ("rate", "avg", "p50", "p90", "p95", "p99")
MAX_POINTS = 11_000


def list_metrics(store: Store, window: Window) -> list[dict[str, Any]]:
    """Every metric name seen in `window`, with its type, unit, attribute keys and services."""
    parts = [
        f"""SELECT MetricName AS name, {literal(METRIC_TYPES[t.name])} AS type,
                   any(MetricUnit) AS unit, any(MetricDescription) AS description,
                   arraySort(groupUniqArrayArray(mapKeys(Attributes))) AS attribute_keys,
                   arraySort(groupUniqArray(ServiceName)) AS services, count() AS points,
                   {"any(IsMonotonic)" if t.name == "otel_metrics_sum" else "false"} AS monotonic
            FROM {store.table(t.name)} WHERE {window.sql("TimeUnix")} GROUP BY MetricName"""
        for t in METRIC_TABLES
    ]
    # ORDER BY after a UNION ALL binds to its last SELECT only: sort the union as a whole.
    rows = store.select("SELECT * FROM (" + " UNION ALL ".join(parts) + ") ORDER BY name, type")
    return [
        {
            "name": row["name"],
            "type": row["type"],
            "unit": row["unit"],
            "description": row["description"],
            "monotonic": bool(row["monotonic"]),
            "attribute_keys": row["attribute_keys"],
            "services": row["services"],
            "points": int(row["points"]),
        }
        for row in rows
    ]


def _find_table(store: Store, name: str, window: Window) -> Table:
    parts = [
        f"SELECT {literal(t.name)} AS t, count() AS n FROM {store.table(t.name)}"
        f" WHERE MetricName = {literal(name)} AND {window.sql('TimeUnix')}"
        for t in METRIC_TABLES
    ]
    rows = [r for r in store.select(" UNION ALL ".join(parts)) if int(r["n"])]
    if not rows:
        raise NotFound(
            f"no points of metric {name!r} in the window",
            location="name",
            hint="list the metric names with GET /api/v1/metrics, or widen start/end",
        )
    best = max(rows, key=lambda r: int(r["n"]))["t"]
    return next(t for t in METRIC_TABLES if t.name == best)


def _group_expression(key: str) -> str:
    if key == "service":
        return "ServiceName"
    if key.startswith("resource."):
        return f"ResourceAttributes[{literal(key.removeprefix('resource.'))}]"
    return f"Attributes[{literal(key)}]"


def metric_series(
    store: Store,
    name: str,
    window: Window,
    *,
    step_s: float | None = None,
    group_by: tuple[str, ...] = (),
    agg: str | None = None,
    service: str | None = None,
) -> dict[str, Any]:
    """One metric aggregated per `step_s` bucket and per `group_by` label set."""
    table = _find_table(store, name, window)
    kind = METRIC_TYPES[table.name]
    step_ns = int((step_s or max(1.0, round(window.seconds / 120))) * 1e9)
    if (window.end_ns - window.start_ns) / step_ns > MAX_POINTS:
        raise BadRequest(
            f"step {step_ns / 1e9:g}s over this window gives more than {MAX_POINTS} points",
            location="step",
            hint="use a larger step or a shorter window",
        )
    groups = ", ".join(f"{_group_expression(k)} AS `g{i}`" for i, k in enumerate(group_by))
    select_groups = f"{groups}, " if groups else ""
    group_names = "".join(f"`g{i}`, " for i in range(len(group_by)))
    where = f"MetricName = {literal(name)} AND {window.sql('TimeUnix')}"
    if service:
        where += f" AND ServiceName = {literal(service)}"
    bucket = f"intDiv(toUnixTimestamp64Nano(TimeUnix) - {window.start_ns}, {step_ns}) AS bucket"
    # A series is its identity, not its start time: a restart (new start time) is a reset of the
    # same series, which series_math counts, rather than a new series whose first sample is lost.
    series_key = (
        "cityHash64(ServiceName, ScopeName, Attributes, ResourceAttributes) AS sk,"
        " argMax(toUnixTimestamp64Nano(StartTimeUnix), TimeUnix) AS start_ns"
    )
    source = store.table(table.name)
    if kind == "gauge" or (kind == "sum" and agg in GAUGE_AGGS):
        chosen = agg or "avg"
        if chosen not in GAUGE_AGGS:
            raise _bad_agg(chosen, GAUGE_AGGS)
        rows = store.select(
            f"SELECT {select_groups}{bucket}, {GAUGE_AGGS[chosen]} AS value FROM {source}"
            f" WHERE {where} GROUP BY {group_names}bucket ORDER BY bucket"
        )
        values = {(_labels(r, group_by), int(r["bucket"])): float(r["value"]) for r in rows}
    elif kind == "sum":
        chosen = agg or "rate"
        if chosen != "rate":
            raise _bad_agg(chosen, ("rate", *GAUGE_AGGS))
        rows = store.select(
            f"SELECT {select_groups}{series_key}, {bucket}, argMax(Value, TimeUnix) AS last,"
            f" sum(Value) AS total, any(AggregationTemporality) AS temporality"
            f" FROM {source} WHERE {where} GROUP BY {group_names}sk, bucket ORDER BY bucket"
        )
        values = counter_rates(rows, group_by, step_ns / 1e9)
    elif kind in ("histogram", "summary", "exponential_histogram"):
        chosen = agg or ("p95" if kind == "histogram" else "avg")
        allowed = HISTOGRAM_AGGS if kind == "histogram" else ("rate", "avg")
        if chosen not in allowed:
            raise _bad_agg(chosen, allowed)
        buckets = "argMax(BucketCounts, TimeUnix)" if kind == "histogram" else "[]"
        bounds = "any(ExplicitBounds)" if kind == "histogram" else "[]"
        temporality = "any(AggregationTemporality)" if kind != "summary" else "2"
        rows = store.select(
            f"SELECT {select_groups}{series_key}, {bucket}, argMax(Count, TimeUnix) AS last_count,"
            f" argMax(Sum, TimeUnix) AS last_sum, sum(Count) AS total_count,"
            f" sum(Sum) AS total_sum, {buckets} AS last_buckets,"
            f" {'sumForEach(BucketCounts)' if kind == 'histogram' else '[]'} AS total_buckets,"
            f" {bounds} AS bounds, {temporality} AS temporality"
            f" FROM {source} WHERE {where} GROUP BY {group_names}sk, bucket ORDER BY bucket"
        )
        values = _histogram_values(merge_histograms(rows, group_by), chosen, step_ns / 1e9)
    else:
        raise BadRequest(f"metric {name!r} has the unsupported type {kind}")
    return _shape(name, kind, chosen, step_ns, window, values)


def _histogram_values(
    merged: dict[tuple[tuple[str, ...], int], HistogramSum], agg: str, step_s: float
) -> dict[tuple[tuple[str, ...], int], float]:
    """Per (labels, bucket): the rate of observations, their mean, or a quantile."""
    values = {}
    for key, h in merged.items():
        if agg == "rate":
            values[key] = h.count / step_s
        elif agg == "avg":
            values[key] = h.total / h.count if h.count else float("nan")
        else:
            values[key] = histogram_quantile(float(agg[1:]) / 100, h.bounds, h.buckets)
    return values


def _labels(row: dict[str, Any], group_by: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(row[f"g{i}"]) for i in range(len(group_by)))


def _bad_agg(chosen: str, allowed: Any) -> BadRequest:
    return BadRequest(
        f"agg {chosen!r} does not apply to this metric",
        location="agg",
        hint="valid here: " + ", ".join(allowed),
    )


def _shape(
    name: str,
    kind: str,
    agg: str,
    step_ns: int,
    window: Window,
    values: dict[tuple[tuple[str, ...], int], float],
) -> dict[str, Any]:
    by_labels: dict[tuple[str, ...], list[tuple[int, float]]] = defaultdict(list)
    for (labels, bucket), value in sorted(values.items(), key=lambda kv: kv[0][1]):
        by_labels[labels].append((bucket, value))
    series = []
    for labels, points in sorted(by_labels.items()):
        series.append(
            {
                "labels": list(labels),
                "points": [
                    {
                        "time": format_time_ns(window.start_ns + bucket * step_ns),
                        "time_unix_nano": window.start_ns + bucket * step_ns,
                        "value": value if math.isfinite(value) else None,  # NaN has no JSON form
                    }
                    for bucket, value in points
                ],
            }
        )
    return {"name": name, "type": kind, "agg": agg, "step_s": step_ns / 1e9, "series": series}
