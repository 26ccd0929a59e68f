"""Log templates through a real server: mined at ingest, on log records, listed per window."""

from __future__ import annotations

import re
import time

import httpx
from opentelemetry._logs import LogRecord, SeverityNumber
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord as LogRecordMessage
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource
from starlette.testclient import TestClient

from nightcall.model import format_time_ns
from tests.conftest import RunningServer
from tests.store.telemetry import SECOND_NS, key_values, make_log

HEX16 = re.compile("^[0-9a-f]{16}$")


def post_protobuf(
    server: RunningServer, records_by_service: dict[str, list[LogRecordMessage]]
) -> None:
    """POST OTLP/protobuf log requests, one per service, and wait until they are stored."""
    for service, records in records_by_service.items():
        request = ExportLogsServiceRequest()
        resource_logs = request.resource_logs.add()
        resource_logs.resource.attributes.extend(key_values({"service.name": service}))
        resource_logs.scope_logs.add().log_records.extend(records)
        response = httpx.post(
            server.url + "/v1/logs",
            content=request.SerializeToString(),
            headers={"Content-Type": "application/x-protobuf"},
        )
        assert response.status_code == 200
    server.flush()


def test_otlp_lines_are_stored_with_their_live_template(server: RunningServer) -> None:
    """Every record from an OTLP POST comes back with a hex template id and its template."""
    now = time.time_ns() - 60 * SECOND_NS
    post_protobuf(server, {
        "checkout": [make_log(time_ns=now + i * SECOND_NS, body=f"order {i} placed in 1{i} ms",
                              severity_number=9) for i in range(5)]
                    + [make_log(time_ns=now + 9 * SECOND_NS, severity_number=17,
                                body="payment gateway timeout after 30 s")],
        "cart": [make_log(time_ns=now, body="order 1 placed in 11 ms", severity_number=9)],
    })  # fmt: skip
    logs = httpx.get(server.url + "/api/v1/logs").json()["logs"]
    assert len(logs) == 7
    assert all(HEX16.match(log["template_id"]) for log in logs)
    by_body = {(log["service"], log["body"]): log for log in logs}
    placed = by_body["checkout", "order 3 placed in 13 ms"]
    assert placed["template"] == "order <*> placed in <*> ms"
    assert by_body["checkout", "order 0 placed in 10 ms"]["template_id"] == placed["template_id"]
    assert by_body["cart", "order 1 placed in 11 ms"]["template_id"] != placed["template_id"]

    answer = httpx.get(server.url + "/api/v1/logs/templates", params={"service": "checkout"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["next"] is None
    assert body["templates"] == [
        {
            "service": "checkout", "template_id": placed["template_id"],
            "template": "order <*> placed in <*> ms", "count": 5,
            "first_seen": format_time_ns(now), "first_seen_unix_nano": now,
            "last_seen": format_time_ns(now + 4 * SECOND_NS),
            "last_seen_unix_nano": now + 4 * SECOND_NS, "is_new": True, "severity": "INFO",
        },
        {
            "service": "checkout",
            "template_id": by_body["checkout", "payment gateway timeout after 30 s"]["template_id"],
            "template": "payment gateway timeout after <*> s", "count": 1,
            "first_seen": format_time_ns(now + 9 * SECOND_NS),
            "first_seen_unix_nano": now + 9 * SECOND_NS,
            "last_seen": format_time_ns(now + 9 * SECOND_NS),
            "last_seen_unix_nano": now + 9 * SECOND_NS, "is_new": True, "severity": "ERROR",
        },
    ]  # fmt: skip


def test_a_window_after_a_template_was_born_does_not_call_it_new(server: RunningServer) -> None:
    """A template seen before the window's start has is_new false; the window's count is its own."""
    now = time.time_ns()
    post_protobuf(server, {"api": [
        make_log(time_ns=now - 50 * 60 * SECOND_NS, body="GET /health 200"),
        make_log(time_ns=now - 5 * 60 * SECOND_NS, body="GET /health 200"),
        make_log(time_ns=now - 4 * 60 * SECOND_NS, body="GET /health 200"),
    ]})  # fmt: skip
    (last_hour,) = httpx.get(server.url + "/api/v1/logs/templates").json()["templates"]
    assert (last_hour["count"], last_hour["is_new"]) == (3, True)
    (recent,) = httpx.get(server.url + "/api/v1/logs/templates", params={"start": "-10m"}).json()[
        "templates"
    ]
    assert (recent["count"], recent["is_new"]) == (2, False)
    assert recent["first_seen_unix_nano"] == now - 50 * 60 * SECOND_NS


def test_sdk_log_exporter_lines_are_mined(server: RunningServer) -> None:
    """Lines from the real OpenTelemetry SDK log exporter get templates at ingest."""
    provider = LoggerProvider(resource=Resource({"service.name": "billing"}))
    exporter = OTLPLogExporter(endpoint=server.url + "/v1/logs", timeout=10)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    logger = provider.get_logger("tests.templates")
    now = time.time_ns() - 30 * SECOND_NS
    for i in range(4):
        body = f"retrying invoice {100 + i}"
        logger.emit(LogRecord(timestamp=now + i, severity_number=SeverityNumber.WARN,
                              severity_text="WARN", body=body))  # fmt: skip
    assert provider.force_flush()
    provider.shutdown()
    server.flush()
    (template,) = httpx.get(server.url + "/api/v1/logs/templates").json()["templates"]
    assert template["template"] == "retrying invoice <*>"
    assert (template["count"], template["severity"]) == (4, "WARN")


def test_templates_answer_in_process_and_validate_parameters(app_client: TestClient) -> None:
    """An empty store lists no templates; a bad start or limit is a 4xx naming the parameter."""
    assert app_client.get("/api/v1/logs/templates").json() == {"templates": [], "next": None}
    bad_start = app_client.get("/api/v1/logs/templates", params={"start": "yesterday"})
    assert bad_start.status_code == 400
    assert bad_start.json()["error"]["location"] == "start"
    bad_limit = app_client.get("/api/v1/logs/templates", params={"limit": 0})
    assert 400 <= bad_limit.status_code < 500
    assert "limit" in bad_limit.json()["error"]["location"]
