"""The reduced series diagnosis reads: per service, per step, aggregated in the engine.

From spans: each service's request rate, error rate and p95 latency (entry spans), and each
service's calls to a dependency (client spans: p95 latency and error rate per callee). From
logs: error and warning lines per second. From error events: events per second. From metrics:
every metric a service reports, turned into a series the way its type asks (a gauge's mean, a
counter's rate, a histogram's p95). Nothing here knows any application's metric names: the
OpenTelemetry conventions (`*.duration` histograms, `*cpu*utilization`, `*memory*`) only decide
which thresholds apply.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from nightcall.model import Series, SeriesKey, SeriesKind
from nightcall.store.connection import literal
from nightcall.store.queries_metrics import list_metrics, metric_series
from nightcall.store.queries_service_map import DEPENDENCY_EXPRESSION
from nightcall.store.queries_traces import ENTRY_SPAN, Window
from nightcall.store.schema import ERROR_EVENTS, LOGS, TRACES
from nightcall.store.store import Store

# Attribute keys that split a metric into series worth keeping apart (CPU state, memory state,
# direction): averaging `idle` with `user` would hide a saturation.
SPLIT_KEYS = ("state", "system.cpu.state", "cpu.mode", "process.cpu.state", "system.memory.state",
              "direction", "network.io.direction", "disk.io.direction", "pool.name")  # fmt: skip
# Metrics that count time itself rise steadily by design: a trend there is not news.
CLOCK_NAMES = ("uptime", "start_time", "timestamp")
MAX_METRIC_NAMES = 200  # a bound on queries per diagnosis; the rest are left out and counted

# What a client span called: the name it gives (peer.service, db.system, address), else its name.
CALLED = f"if({DEPENDENCY_EXPRESSION} != '', {DEPENDENCY_EXPRESSION}, SpanName)"
Buckets = dict[tuple[tuple[tuple[str, str], ...], int], float]


def step_for(window: Window, *, points: int = 120, min_step_s: float = 10.0) -> int:
    """The step, in ns, giving about `points` points over `window` (at least `min_step_s`)."""
    return int(max(min_step_s, math.ceil(window.seconds / points)) * 1e9)


def _bucket(window: Window, step_ns: int, column: str) -> str:
    return f"intDiv(toUnixTimestamp64Nano({column}) - {literal(window.start_ns)}, {step_ns})"


def _to_series(
    name: str,
    buckets: Buckets,
    window: Window,
    step_ns: int,
    *,
    kind: SeriesKind,
    unit: str,
    query: str,
    fill: float = math.nan,
) -> list[Series]:
    """One Series per label set, every step of the window present (`fill` where none came)."""
    by_labels: dict[tuple[tuple[str, str], ...], dict[int, float]] = defaultdict(dict)
    for (labels, bucket), value in buckets.items():
        by_labels[labels][bucket] = value
    count = max(1, int((window.end_ns - window.start_ns) // step_ns))
    times = tuple(window.start_ns + i * step_ns for i in range(count))
    return [
        Series(
            key=SeriesKey(name=name, labels=labels),
            times_ns=times,
            values=tuple(points.get(i, fill) for i in range(count)),
            unit=unit,
            kind=kind,
            query=query,
        )
        for labels, points in sorted(by_labels.items())
    ]


def span_series(store: Store, window: Window, step_ns: int) -> list[Series]:
    """Per service: `requests` (per s), `error_rate` (share) and `latency_p95` (ms).

    A request is an entry span (SERVER or CONSUMER, or a root); a service whose spans carry
    no such kind (instrumented with INTERNAL spans only) is read from all its spans instead.
    """
    table = store.table(TRACES.name)
    rows = store.select(
        f"""
        SELECT ServiceName AS service, {_bucket(window, step_ns, "Timestamp")} AS bucket,
               count() AS requests, countIf(StatusCode = 'Error') AS errors,
               quantile(0.95)(Duration) AS p95
        FROM {table} WHERE {window.sql()}
          AND ({ENTRY_SPAN} OR ServiceName NOT IN (
                SELECT DISTINCT ServiceName FROM {table}
                WHERE {window.sql()} AND SpanKind IN ('Server', 'Consumer')))
        GROUP BY service, bucket
        """
    )
    step_s = step_ns / 1e9
    rate: Buckets = {}
    errors: Buckets = {}
    latency: Buckets = {}
    for row in rows:
        key = ((("service", str(row["service"])),), int(row["bucket"]))
        requests = int(row["requests"])
        rate[key] = requests / step_s
        errors[key] = int(row["errors"]) / requests
        latency[key] = float(row["p95"]) / 1e6
    query = "GET /api/v1/traces?service={service}"
    return [
        *_to_series("requests", rate, window, step_ns, kind=SeriesKind.COUNTER_RATE,
                    unit="1/s", query=query, fill=0.0),
        *_to_series("error_rate", errors, window, step_ns, kind=SeriesKind.ERROR_RATE,
                    unit="1", query=query + "&status=error"),
        *_to_series("latency_p95", latency, window, step_ns, kind=SeriesKind.LATENCY,
                    unit="ms", query=query),
    ]  # fmt: skip


def dependency_series(store: Store, window: Window, step_ns: int) -> list[Series]:
    """Per (service, dependency) of CLIENT spans: `calls` (per s), `call_latency_p95` (ms) and
    `call_error_rate`. The dependency is what the span names it called, else the span's name."""
    rows = store.select(
        f"""
        SELECT ServiceName AS service, {CALLED} AS dependency,
               {_bucket(window, step_ns, "Timestamp")} AS bucket,
               count() AS calls, countIf(StatusCode = 'Error') AS errors,
               quantile(0.95)(Duration) AS p95
        FROM {store.table(TRACES.name)} WHERE {window.sql()} AND SpanKind = 'Client'
        GROUP BY service, dependency, bucket
        """
    )
    step_s = step_ns / 1e9
    calls: Buckets = {}
    errors: Buckets = {}
    latency: Buckets = {}
    for row in rows:
        labels = (("dependency", str(row["dependency"])), ("service", str(row["service"])))
        key = (labels, int(row["bucket"]))
        calls[key] = int(row["calls"]) / step_s
        errors[key] = int(row["errors"]) / int(row["calls"])
        latency[key] = float(row["p95"]) / 1e6
    query = "GET /api/v1/traces?service={service}&span_kind=client"
    return [
        *_to_series("calls", calls, window, step_ns, kind=SeriesKind.COUNTER_RATE,
                    unit="1/s", query=query, fill=0.0),
        *_to_series("call_error_rate", errors, window, step_ns, kind=SeriesKind.ERROR_RATE,
                    unit="1", query=query),
        *_to_series("call_latency_p95", latency, window, step_ns, kind=SeriesKind.LATENCY,
                    unit="ms", query=query),
    ]  # fmt: skip


def dependency_services(store: Store, window: Window) -> dict[tuple[str, str], str]:
    """(caller, dependency label) -> the service that answers it, where traces show one.

    A client span names what it called by address (`cart:7070`, `10.0.3.7`, a DNS name), not
    by the callee's `service.name`; the callee's server span, a child of the client span,
    does. The most frequent answering service wins.
    """
    table = store.table(TRACES.name)
    rows = store.select(
        f"""
        SELECT caller, dependency, argMax(callee, calls) AS callee FROM (
            SELECT c.ServiceName AS caller, c.dependency AS dependency,
                   s.ServiceName AS callee, count() AS calls
            FROM (SELECT TraceId, SpanId, ServiceName, {CALLED} AS dependency FROM {table}
                  WHERE {window.sql()} AND SpanKind = 'Client') AS c
            INNER JOIN (SELECT TraceId, ParentSpanId, ServiceName FROM {table}
                        WHERE {window.sql()} AND ParentSpanId != '') AS s
              ON s.TraceId = c.TraceId AND s.ParentSpanId = c.SpanId
            WHERE s.ServiceName != c.ServiceName
            GROUP BY caller, dependency, callee)
        GROUP BY caller, dependency
        """
    )
    return {(str(r["caller"]), str(r["dependency"])): str(r["callee"]) for r in rows}


def log_series(store: Store, window: Window, step_ns: int) -> list[Series]:
    """Per service: `log_errors` and `log_warnings`, lines per second at those severities."""
    rows = store.select(
        f"""
        SELECT ServiceName AS service, {_bucket(window, step_ns, "Timestamp")} AS bucket,
               countIf(SeverityNumber >= 17) AS errors,
               countIf(SeverityNumber >= 13 AND SeverityNumber < 17) AS warnings,
               count() AS lines
        FROM {store.table(LOGS.name)} WHERE {window.sql()}
        GROUP BY service, bucket
        """
    )
    step_s = step_ns / 1e9
    errors: Buckets = {}
    warnings: Buckets = {}
    for row in rows:
        key = ((("service", str(row["service"])),), int(row["bucket"]))
        errors[key] = int(row["errors"]) / step_s
        warnings[key] = int(row["warnings"]) / step_s
    query = "GET /api/v1/logs?service={service}&severity={severity}"
    return [
        *_to_series("log_errors", errors, window, step_ns, kind=SeriesKind.COUNTER_RATE,
                    unit="1/s", query=query.replace("{severity}", "error"), fill=0.0),
        *_to_series("log_warnings", warnings, window, step_ns, kind=SeriesKind.COUNTER_RATE,
                    unit="1/s", query=query.replace("{severity}", "warn"), fill=0.0),
    ]  # fmt: skip


def error_event_series(store: Store, window: Window, step_ns: int) -> list[Series]:
    """Per service: `error_events` per second (crashes and handled errors from Sentry SDKs)."""
    rows = store.select(
        f"""
        SELECT ServiceName AS service, {_bucket(window, step_ns, "Timestamp")} AS bucket,
               count() AS events
        FROM {store.table(ERROR_EVENTS.name)} WHERE {window.sql()}
        GROUP BY service, bucket
        """
    )
    step_s = step_ns / 1e9
    events: Buckets = {
        ((("service", str(row["service"])),), int(row["bucket"])): int(row["events"]) / step_s
        for row in rows
    }
    return _to_series("error_events", events, window, step_ns, kind=SeriesKind.COUNTER_RATE,
                      unit="1/s", query="GET /api/v1/errors/events?service={service}",
                      fill=0.0)  # fmt: skip


def metric_kind(name: str, unit: str) -> SeriesKind:
    """Which thresholds apply to a metric, from the naming conventions only."""
    lowered = name.lower()
    if "duration" in lowered or "latency" in lowered:
        return SeriesKind.LATENCY
    if "cpu" in lowered and ("utilization" in lowered or unit in {"1", "%"}):
        return SeriesKind.UTILIZATION
    if "memory" in lowered and ("utilization" in lowered or unit in {"1", "%"}):
        return SeriesKind.MEMORY
    return SeriesKind.GAUGE


def metric_signal_series(store: Store, window: Window, step_ns: int) -> tuple[list[Series], int]:
    """Every metric reported by a service, per service (and split key); and how many were cut."""
    catalogue = [
        m
        for m in list_metrics(store, window)
        if any(m["services"]) and not any(c in m["name"].lower() for c in CLOCK_NAMES)
    ]
    skipped = max(0, len(catalogue) - MAX_METRIC_NAMES)
    found: list[Series] = []
    for metric in catalogue[:MAX_METRIC_NAMES]:
        found.extend(_one_metric(store, window, step_ns, metric))
    return found, skipped


# Attributes of a duration histogram that tell failed observations apart (OTel conventions
# and their older names): the share of failures is the metric's error rate.
STATUS_KEYS = ("error.type", "http.response.status_code", "http.status_code",
               "rpc.grpc.status_code")  # fmt: skip


def _is_failure(key: str, value: str) -> bool:
    if key == "error.type":
        return value not in {"", "none"}
    if key == "rpc.grpc.status_code":
        return value not in {"", "0"}
    return value[:1] == "5"  # an HTTP 5xx; 4xx are the caller's mistakes


def _error_rate_series(
    store: Store, window: Window, step_ns: int, name: str, status_key: str
) -> list[Series]:
    """`NAME:error_rate`: per service, the share of a duration histogram's failed observations."""
    answer = metric_series(
        store, name, window, step_s=step_ns / 1e9, group_by=("service", status_key), agg="rate"
    )
    total: Buckets = defaultdict(float)
    failed: Buckets = defaultdict(float)
    for item in answer["series"]:
        service, status = item["labels"]
        for point in item["points"]:
            if point["value"] is None:
                continue
            key = (
                (("service", service),),
                (int(point["time_unix_nano"]) - window.start_ns) // step_ns,
            )
            total[key] += float(point["value"])
            if _is_failure(status_key, status):
                failed[key] += float(point["value"])
    shares: Buckets = {k: failed[k] / v for k, v in total.items() if v > 0}
    return _to_series(f"{name}:error_rate", shares, window, step_ns, kind=SeriesKind.ERROR_RATE,
                      unit="1", query=f"GET /api/v1/metrics/series?name={name}&agg=rate"
                      f"&group_by=service&group_by={status_key}")  # fmt: skip


def _one_metric(
    store: Store, window: Window, step_ns: int, metric: dict[str, Any]
) -> Iterable[Series]:
    name, kind, unit = str(metric["name"]), str(metric["type"]), str(metric["unit"])
    split = tuple(k for k in SPLIT_KEYS if k in metric["attribute_keys"])[:1]
    group_by = ("service", *split)
    if kind == "histogram":
        variants = [("p95", f"{name}:p95", metric_kind(name, unit), unit),
                    ("rate", f"{name}:rate", SeriesKind.COUNTER_RATE, "1/s")]  # fmt: skip
    elif kind == "sum" and metric["monotonic"]:
        variants = [("rate", name, SeriesKind.COUNTER_RATE, f"{unit}/s" if unit else "1/s")]
    elif kind in ("gauge", "sum"):
        variants = [("avg", name, metric_kind(name, unit), unit)]
    else:
        variants = [("avg", name, SeriesKind.GAUGE, unit)]
    status = next((k for k in STATUS_KEYS if k in metric["attribute_keys"]), None)
    if kind == "histogram" and status is not None:
        yield from _error_rate_series(store, window, step_ns, name, status)
    for agg, series_name, series_kind, series_unit in variants:
        answer = metric_series(
            store, name, window, step_s=step_ns / 1e9, group_by=group_by, agg=agg
        )
        buckets: Buckets = {}
        for item in answer["series"]:
            labels = tuple(sorted(zip(group_by, item["labels"], strict=True)))
            for point in item["points"]:
                if point["value"] is None:
                    continue
                bucket = (int(point["time_unix_nano"]) - window.start_ns) // step_ns
                buckets[(labels, bucket)] = float(point["value"])
        yield from _to_series(
            series_name,
            buckets,
            window,
            step_ns,
            kind=series_kind,
            unit=series_unit,
            query=f"GET /api/v1/metrics/series?name={name}&agg={agg}&group_by=service",
        )
