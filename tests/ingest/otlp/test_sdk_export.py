"""The real OpenTelemetry Python SDK exports to a real server; the query API returns it intact.

Providers are built per test and never installed globally, so tests do not share state.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import httpx
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.metrics import Counter, Histogram, MeterProvider
from opentelemetry.sdk.metrics.export import AggregationTemporality, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Link, SpanKind, Status, StatusCode, set_span_in_context

from tests.conftest import RunningServer

SECOND_NS = 1_000_000_000
RESOURCE_ATTRIBUTES = {"service.name": "checkout", "deployment.environment": "test"}


def _resource() -> Resource:
    return Resource(RESOURCE_ATTRIBUTES)


def _tracer_provider(server: RunningServer) -> TracerProvider:
    provider = TracerProvider(resource=_resource())
    exporter = OTLPSpanExporter(endpoint=server.url + "/v1/traces", timeout=10)
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def test_sdk_traces_round_trip(server: RunningServer) -> None:
    """Spans keep their ids, parent links, exact times, typed attributes, events and status."""
    provider = _tracer_provider(server)
    tracer = provider.get_tracer("tests.sdk", "0.1")
    start = time.time_ns() - 30 * SECOND_NS
    root = tracer.start_span(
        "POST /checkout",
        kind=SpanKind.SERVER,
        start_time=start,
        attributes={
            "http.route": "/checkout",
            "http.status_code": 500,
            "retry": True,
            "ratio": 0.125,
            "tags": ["a", "b"],
            "sizes": [1, 2, 3],
            "flags": [True, False],
            "weights": [0.5, 1.5],
        },
    )
    root.add_event("cache.miss", {"key": "cart:1", "tries": 2}, timestamp=start + 1_000)
    root.set_status(Status(StatusCode.ERROR, "card declined"))
    child = tracer.start_span(
        "charge card",
        context=set_span_in_context(root),
        kind=SpanKind.CLIENT,
        start_time=start + 2_000,
        links=[Link(root.get_span_context(), {"reason": "retry"})],
    )
    child.set_status(Status(StatusCode.OK))
    child.end(end_time=start + 5_000_002)
    root.end(end_time=start + 10_000_001)
    assert provider.force_flush()
    provider.shutdown()
    server.flush()

    trace_id = f"{root.get_span_context().trace_id:032x}"
    root_id = f"{root.get_span_context().span_id:016x}"
    child_id = f"{child.get_span_context().span_id:016x}"
    (found,) = httpx.get(server.url + "/api/v1/traces", params={"service": "checkout"}).json()[
        "traces"
    ]
    assert found["trace_id"] == trace_id
    assert found["root_service"] == "checkout"
    assert found["root_operation"] == "POST /checkout"
    assert found["start_unix_nano"] == start
    assert found["duration_ms"] == 10.000001
    assert found["span_count"] == 2
    assert found["error_count"] == 1

    trace = httpx.get(f"{server.url}/api/v1/traces/{trace_id.upper()}").json()
    stored_root, stored_child = trace["spans"]
    assert stored_root["trace_id"] == trace_id
    assert stored_root["span_id"] == root_id
    assert stored_root["parent_span_id"] is None
    assert stored_root["kind"] == "Server"
    assert stored_root["start_unix_nano"] == start
    assert stored_root["end_unix_nano"] == start + 10_000_001
    assert stored_root["attributes"] == {
        "http.route": "/checkout",
        "http.status_code": "500",
        "retry": "true",
        "ratio": "0.125",
        "tags": '["a","b"]',
        "sizes": "[1,2,3]",
        "flags": "[true,false]",
        "weights": "[0.5,1.5]",
    }
    assert [(e["name"], e["time_unix_nano"], e["attributes"]) for e in stored_root["events"]] == [
        ("cache.miss", start + 1_000, {"key": "cart:1", "tries": "2"})
    ]
    assert (stored_root["status_code"], stored_root["status_message"]) == (
        "Error",
        "card declined",
    )
    assert stored_root["resource"] == RESOURCE_ATTRIBUTES
    assert stored_root["scope"] == {"name": "tests.sdk", "version": "0.1"}
    assert stored_child["span_id"] == child_id
    assert stored_child["parent_span_id"] == root_id
    assert stored_child["kind"] == "Client"
    assert stored_child["start_unix_nano"] == start + 2_000
    assert stored_child["duration_ns"] == 4_998_002
    assert stored_child["status_code"] == "Ok"
    assert stored_child["links"] == [
        {
            "trace_id": trace_id,
            "span_id": root_id,
            "trace_state": "",
            "attributes": {"reason": "retry"},
        }
    ]

    (service,) = httpx.get(server.url + "/api/v1/services").json()["services"]
    assert service["service"] == "checkout"
    assert (service["requests"], service["errors"], service["spans"]) == (1, 1, 2)
    assert service["error_rate"] == 1.0
    assert service["p50_ms"] == 10.000001


def test_sdk_metrics_round_trip(server: RunningServer) -> None:
    """Counter, up-down counter, observable gauge and histogram values come back exactly."""
    exporter = OTLPMetricExporter(
        endpoint=server.url + "/v1/metrics",
        timeout=10,
        preferred_temporality={
            Counter: AggregationTemporality.DELTA,
            Histogram: AggregationTemporality.DELTA,
        },
    )
    reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
    provider = MeterProvider(resource=_resource(), metric_readers=[reader])
    meter = provider.get_meter("tests.sdk.metrics")

    def pool_size(_: CallbackOptions) -> Iterable[Observation]:
        yield Observation(42.5, {"pool": "main"})

    counter = meter.create_counter("orders", unit="{order}", description="orders placed")
    up_down = meter.create_up_down_counter("inflight", unit="{request}")
    meter.create_observable_gauge("pool.size", callbacks=[pool_size], unit="{conn}")
    histogram = meter.create_histogram(
        "checkout.duration", unit="ms", explicit_bucket_boundaries_advisory=[10.0, 20.0]
    )
    counter.add(3, {"region": "eu"})
    counter.add(2, {"region": "eu"})
    up_down.add(10)
    up_down.add(-3)
    for value in (5.0, 15.0, 15.0, 25.0):
        histogram.record(value, {"route": "/checkout"})
    provider.shutdown()  # one final collection and export
    server.flush()

    catalogue = httpx.get(server.url + "/api/v1/metrics").json()["metrics"]
    assert [
        (m["name"], m["type"], m["unit"], m["monotonic"], m["attribute_keys"], m["services"])
        for m in catalogue
    ] == [
        ("checkout.duration", "histogram", "ms", False, ["route"], ["checkout"]),
        ("inflight", "sum", "{request}", False, [], ["checkout"]),
        ("orders", "sum", "{order}", True, ["region"], ["checkout"]),
        ("pool.size", "gauge", "{conn}", False, ["pool"], ["checkout"]),
    ]
    assert next(m for m in catalogue if m["name"] == "orders")["description"] == "orders placed"

    def values(name: str, agg: str, **params: str) -> list[float]:
        response = httpx.get(
            f"{server.url}/api/v1/metrics/{name}/series",
            params={"agg": agg, "step": "7200", **params},
        )
        assert response.status_code == 200, response.text
        return [p["value"] for s in response.json()["series"] for p in s["points"]]

    assert values("orders", "sum") == [5.0]
    assert values("orders", "rate") == [5 / 7200]
    assert values("inflight", "last") == [7.0]
    assert values("pool.size", "last", group_by="pool") == [42.5]
    assert values("checkout.duration", "rate") == [4 / 7200]
    assert values("checkout.duration", "avg") == [15.0]
    assert values("checkout.duration", "p50") == [15.0]
    assert values("checkout.duration", "p90") == [20.0]  # in +Inf: its lower edge


def test_sdk_logs_round_trip(server: RunningServer) -> None:
    """Log records keep severity, body, attributes and their trace and span correlation."""
    tracer_provider = TracerProvider(resource=_resource())
    span = tracer_provider.get_tracer("tests.sdk").start_span("work")
    provider = LoggerProvider(resource=_resource())
    exporter = OTLPLogExporter(endpoint=server.url + "/v1/logs", timeout=10)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    logger = provider.get_logger("tests.sdk.logs", "2.0")
    now = time.time_ns() - 10 * SECOND_NS
    logger.emit(
        LogRecord(
            timestamp=now,
            observed_timestamp=now + 1,
            context=set_span_in_context(span),
            severity_number=SeverityNumber.ERROR,
            severity_text="ERROR",
            body="payment declined for order 17",
            attributes={"order.id": 17, "retry": False},
        )
    )
    logger.emit(
        LogRecord(
            timestamp=now - 1,
            severity_number=SeverityNumber.INFO,
            body={"event": "started", "count": 2},
        )
    )
    assert provider.force_flush()
    provider.shutdown()
    span.end()
    tracer_provider.shutdown()
    server.flush()

    trace_id = f"{span.get_span_context().trace_id:032x}"
    span_id = f"{span.get_span_context().span_id:016x}"
    logs = httpx.get(server.url + "/api/v1/logs", params={"service": "checkout"}).json()["logs"]
    assert [
        (
            log["time_unix_nano"],
            log["severity"],
            log["severity_number"],
            log["body"],
            log["attributes"],
            log["trace_id"],
            log["span_id"],
            log["scope"],
        )
        for log in logs
    ] == [
        (
            now,
            "ERROR",
            17,
            "payment declined for order 17",
            {"order.id": "17", "retry": "false"},
            trace_id,
            span_id,
            "tests.sdk.logs",
        ),
        (now - 1, "INFO", 9, '{"event":"started","count":2}', {}, None, None, "tests.sdk.logs"),
    ]
    assert logs[0]["resource"] == RESOURCE_ATTRIBUTES
    errors = httpx.get(
        server.url + "/api/v1/logs", params={"severity": "error", "trace_id": trace_id}
    ).json()["logs"]
    assert [log["body"] for log in errors] == ["payment declined for order 17"]
