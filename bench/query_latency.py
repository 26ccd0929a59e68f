"""Query latency over a realistic hour: 1M spans of ~20 services, plus logs and metrics.

    .venv/bin/python bench/query_latency.py [--spans 1000000] [--repetitions 15]

Loads a fresh embedded store directly, through the real flatteners and `Store.insert_batches`
(the writer's own call), then times the store queries the API serves and prints median and p95
per query, beside the in-process load rate as this run's baseline.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from telemetry import TraceGenerator, resource_attributes, service_names

from nightcall.config import load_settings
from nightcall.ingest.otlp.flatten_logs import flatten_logs
from nightcall.ingest.otlp.flatten_metrics import flatten_metrics
from nightcall.ingest.otlp.flatten_traces import flatten_traces
from nightcall.model import EncodedBatch
from nightcall.store.queries_logs import search_logs
from nightcall.store.queries_metrics import metric_series
from nightcall.store.queries_traces import (
    TraceFilter,
    Window,
    get_trace,
    search_traces,
    service_red,
)
from nightcall.store.store import Store, open_store

HOUR_NS = 3600 * 10**9
LOG_BODIES = ("GET {route} 200 in {ms} ms", "upstream timed out after 2.0s calling {route}",
              "cache miss for key user:{ms}", "retrying payment authorization, attempt {n}",
              "connection pool exhausted (size=20)")  # fmt: skip


def load_traces(store: Store, spans: int, services: int, start_ns: int, seed: int) -> list[str]:
    """Insert `spans` spans over the hour after `start_ns`; returns some of their trace ids."""
    generator = TraceGenerator(services=services, seed=seed, start_ns=start_ns, span_s=1.0)
    minutes = 60
    per_request = 5000
    requests = spans // per_request
    pending: list[EncodedBatch] = []
    trace_ids: list[str] = []
    for index in range(requests):
        minute = index * minutes // requests
        request = generator.request(per_request, start_ns + minute * 60 * 10**9 + index % 60)
        decoded = flatten_traces(request)
        pending.extend(decoded.batches)
        if index % 20 == 0:
            trace_ids.append(request.resource_spans[0].scope_spans[0].spans[0].trace_id.hex())
        if len(pending) >= 20:
            store.insert_batches(pending)
            pending = []
    if pending:
        store.insert_batches(pending)
    return trace_ids


def load_logs(store: Store, records: int, services: int, start_ns: int, seed: int) -> None:
    rng = random.Random(seed)
    names = service_names(services)
    per_request = 5000
    for _ in range(records // per_request):
        request = ExportLogsServiceRequest()
        for service_index, service in enumerate(names):
            resource_logs = request.resource_logs.add()
            resource_logs.resource.attributes.extend(resource_attributes(service, service_index))
            scope = resource_logs.scope_logs.add()
            for _ in range(per_request // len(names)):
                body = rng.choice(LOG_BODIES).format(
                    route="/api/orders", ms=rng.randrange(1, 900), n=rng.randrange(1, 4)
                )
                scope.log_records.add(
                    time_unix_nano=start_ns + rng.randrange(HOUR_NS),
                    severity_number=rng.choice((9, 9, 9, 13, 17)),
                    body=AnyValue(string_value=body),
                    trace_id=rng.randbytes(16),
                    span_id=rng.randbytes(8),
                    attributes=[KeyValue(key="code.function", value=AnyValue(string_value="h"))],
                )
        store.insert_batches(flatten_logs(request).batches)


def load_metrics(store: Store, services: int, start_ns: int) -> None:
    """One gauge and one counter per service and pod, every 10 s over the hour."""
    names = service_names(services)
    request = ExportMetricsServiceRequest()
    for service_index, service in enumerate(names):
        resource_metrics = request.resource_metrics.add()
        resource_metrics.resource.attributes.extend(resource_attributes(service, service_index))
        scope = resource_metrics.scope_metrics.add()
        gauge = scope.metrics.add(name="process.cpu.utilization", unit="1")
        counter = scope.metrics.add(name="http.server.requests", unit="{request}")
        counter.sum.is_monotonic = True
        counter.sum.aggregation_temporality = 2
        for step in range(360):
            at = start_ns + step * 10 * 10**9
            gauge.gauge.data_points.add(time_unix_nano=at, as_double=0.2 + (step % 7) / 10)
            counter.sum.data_points.add(
                start_time_unix_nano=start_ns, time_unix_nano=at, as_int=step * 100
            )
    store.insert_batches(flatten_metrics(request).batches)


def timed(repetitions: int, query: Callable[[int], Any]) -> tuple[float, float]:
    """Median and p95 of `query(i)`'s wall time in ms, after one warm-up call."""
    query(-1)
    times = []
    for index in range(repetitions):
        started = time.perf_counter()
        query(index)
        times.append((time.perf_counter() - started) * 1e3)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--logs", type=int, default=200_000)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--repetitions", type=int, default=15)
    args = parser.parse_args()
    start_ns = (time.time_ns() // HOUR_NS - 2) * HOUR_NS  # a whole hour that has passed
    window = Window(start_ns=start_ns, end_ns=start_ns + HOUR_NS)

    with tempfile.TemporaryDirectory(prefix="nightcall-query-bench-") as temporary:
        settings, _ = load_settings(
            environ={}, overrides={"data_dir": Path(temporary), "retention_days": 0}
        )
        store = open_store(settings)
        try:
            started = time.perf_counter()
            trace_ids = load_traces(store, args.spans, args.services, start_ns, seed=11)
            load_s = time.perf_counter() - started
            load_logs(store, args.logs, args.services, start_ns, seed=12)
            load_metrics(store, args.services, start_ns)
            counts = store.row_counts()
            print(f"loaded {counts.get('otel_traces', 0):,} spans in {load_s:.1f} s "
                  f"({counts.get('otel_traces', 0) / load_s:,.0f} spans/s generate+flatten+insert),"
                  f" {counts.get('otel_logs', 0):,} logs, "
                  f"{counts.get('otel_metrics_gauge', 0) + counts.get('otel_metrics_sum', 0):,}"
                  f" metric points; {args.services} services over one hour")  # fmt: skip
            rng = random.Random(5)
            names = service_names(args.services)
            queries: list[tuple[str, Callable[[int], Any]]] = [
                ("service_red (RED per service, 1 h)", lambda _: service_red(store, window)),
                ("get_trace (random trace id)", lambda _: get_trace(store, rng.choice(trace_ids))),
                ("search_traces (service, errors, 20)", lambda i: search_traces(
                    store, TraceFilter(window=window, service=names[i % len(names)],
                                       errors_only=True), limit=20)),
                ("search_traces (attribute, 20)", lambda _: search_traces(
                    store, TraceFilter(window=window, attributes=(("http.route", "/checkout"),)),
                    limit=20)),
                ("search_logs (service + text, 100)", lambda i: search_logs(
                    store, window, service=names[i % len(names)], text="timed out", limit=100)),
                ("search_logs (severity >= warn, 100)", lambda _: search_logs(
                    store, window, severity="warn", limit=100)),
                ("metric_series (gauge, per service)", lambda _: metric_series(
                    store, "process.cpu.utilization", window, group_by=("service",))),
                ("metric_series (counter rate)", lambda i: metric_series(
                    store, "http.server.requests", window, service=names[i % len(names)])),
            ]  # fmt: skip
            print(f"\n{'query':<40} {'median ms':>10} {'p95 ms':>10}   ({args.repetitions} runs)")
            for label, query in queries:
                median, p95 = timed(args.repetitions, query)
                print(f"{label:<40} {median:>10.1f} {p95:>10.1f}")
        finally:
            store.close()


if __name__ == "__main__":
    main()
