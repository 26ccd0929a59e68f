"""The OpenTelemetry SDK set up in a live demo process, as a user's service would set it up.

Traces, metrics and logs go over OTLP/HTTP protobuf to nightcall; the runtime instruments
(CPU, memory, threads, GC, the connection pool) are observable callbacks read by the periodic
reader. Providers are local to the process (the live services are separate processes).
"""

from __future__ import annotations

import gc
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import psutil
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.metrics import (
    CallbackOptions,
    Counter,
    Histogram,
    Meter,
    Observation,
    UpDownCounter,
)
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Tracer

from nightcall.demo import signals as sig

Observer = Callable[[CallbackOptions], Iterable[Observation]]


@dataclass(slots=True)
class Instruments:
    """The synchronous instruments the request handlers record into."""

    server_duration: Histogram
    client_duration: Histogram
    db_duration: Histogram
    active_requests: UpDownCounter
    pool_timeouts: Counter


@dataclass(slots=True)
class Sdk:
    """One process's providers and what the handlers use from them."""

    tracer: Tracer
    instruments: Instruments
    logger: logging.Logger
    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    logger_provider: LoggerProvider

    def shutdown(self) -> None:
        """Flush and stop the exporters (called before the process exits)."""
        for provider in (self.tracer_provider, self.meter_provider, self.logger_provider):
            provider.shutdown()


def _headers(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


def start_sdk(
    resource_attrs: dict[str, str | int],
    *,
    url: str,
    key: str | None,
    pool: Callable[[], tuple[str, int, int]] | None = None,
) -> Sdk:
    """Providers exporting to `url`, with runtime instruments; `pool` reports (name, used, size)."""
    resource = Resource.create({**sig.SDK_RESOURCE, **resource_attrs})
    base, headers = url.rstrip("/"), _headers(key)
    tracer_provider = TracerProvider(resource=resource)
    tracer_provider.add_span_processor(
        BatchSpanProcessor(
            OTLPSpanExporter(endpoint=f"{base}/v1/traces", headers=headers),
            schedule_delay_millis=1000,
        )
    )
    reader = PeriodicExportingMetricReader(
        OTLPMetricExporter(endpoint=f"{base}/v1/metrics", headers=headers),
        export_interval_millis=int(sig.LIVE_EXPORT_INTERVAL_S * 1000),
    )
    meter_provider = MeterProvider(resource=resource, metric_readers=[reader])
    logger_provider = LoggerProvider(resource=resource)
    logger_provider.add_log_record_processor(
        BatchLogRecordProcessor(
            OTLPLogExporter(endpoint=f"{base}/v1/logs", headers=headers), schedule_delay_millis=1000
        )
    )
    meter = meter_provider.get_meter(sig.SCOPE_NAME, "1")
    bounds = sig.DURATION_BOUNDS_S

    def histogram(name: str) -> Histogram:
        return meter.create_histogram(
            name, unit=sig.UNITS[name], explicit_bucket_boundaries_advisory=bounds
        )

    instruments = Instruments(
        server_duration=histogram(sig.HTTP_SERVER_DURATION),
        client_duration=histogram(sig.HTTP_CLIENT_DURATION),
        db_duration=histogram(sig.DB_CLIENT_DURATION),
        active_requests=meter.create_up_down_counter(
            sig.HTTP_SERVER_ACTIVE, unit=sig.UNITS[sig.HTTP_SERVER_ACTIVE]
        ),
        pool_timeouts=meter.create_counter(
            sig.DB_POOL_TIMEOUTS, unit=sig.UNITS[sig.DB_POOL_TIMEOUTS]
        ),
    )
    _runtime_instruments(meter, pool)
    logger = logging.getLogger(f"shop.{resource_attrs['service.name']}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=logger_provider))
    return Sdk(
        tracer=tracer_provider.get_tracer(sig.SCOPE_NAME, "1"),
        instruments=instruments,
        logger=logger,
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        logger_provider=logger_provider,
    )


def _runtime_instruments(meter: Meter, pool: Callable[[], tuple[str, int, int]] | None) -> None:
    process = psutil.Process(os.getpid())
    process.cpu_percent()  # the first call starts the measurement interval
    started = time.monotonic()

    def cpu(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(process.cpu_percent() / 100.0)

    def memory(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(process.memory_info().rss)

    def threads(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(process.num_threads())

    def uptime(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(time.monotonic() - started)

    def collections(_: CallbackOptions) -> Iterable[Observation]:
        for generation, stats in enumerate(gc.get_stats()):
            yield Observation(stats["collections"], {"cpython.gc.generation": generation})

    def pool_usage(_: CallbackOptions) -> Iterable[Observation]:
        if pool is not None:
            name, used, size = pool()
            yield Observation(used, {"pool.name": name, "state": "used"})
            yield Observation(size - used, {"pool.name": name, "state": "idle"})

    def pool_max(_: CallbackOptions) -> Iterable[Observation]:
        if pool is not None:
            name, _used, size = pool()
            yield Observation(size, {"pool.name": name})

    u = sig.UNITS
    meter.create_observable_gauge(sig.PROCESS_CPU, [cpu], unit=u[sig.PROCESS_CPU])
    meter.create_observable_up_down_counter(
        sig.PROCESS_MEMORY, [memory], unit=u[sig.PROCESS_MEMORY]
    )
    meter.create_observable_up_down_counter(
        sig.PROCESS_THREADS, [threads], unit=u[sig.PROCESS_THREADS]
    )
    meter.create_observable_gauge(sig.PROCESS_UPTIME, [uptime], unit=u[sig.PROCESS_UPTIME])
    meter.create_observable_counter(sig.GC_COLLECTIONS, [collections], unit=u[sig.GC_COLLECTIONS])
    if pool is not None:
        meter.create_observable_up_down_counter(
            sig.DB_POOL_USAGE, [pool_usage], unit=u[sig.DB_POOL_USAGE]
        )
        meter.create_observable_up_down_counter(
            sig.DB_POOL_MAX, [pool_max], unit=u[sig.DB_POOL_MAX]
        )
