"""OTLP/JSON written by hand from the spec is stored and queried back with the same values."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from tests.conftest import RunningServer

SECOND_NS = 1_000_000_000
TRACE_ID = "5b8efff798038103d269b633813fc60c"
ROOT_ID = "eee19b7ec3c1b174"
CHILD_ID = "eee19b7ec3c1b173"
LINKED_TRACE = "0af7651916cd43dd8448eb211c80319c"
LINKED_SPAN = "b7ad6b7169203331"


def _post(server: RunningServer, signal: str, document: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/{signal}",
        content=orjson.dumps(document),
        headers={"Content-Type": "application/json"},
    )


def _resource(service: str) -> dict[str, Any]:
    return {
        "attributes": [
            {"key": "service.name", "value": {"stringValue": service}},
            {"key": "host.cores", "value": {"intValue": "8"}},
        ]
    }


def _every_any_value() -> list[dict[str, Any]]:
    return [
        {"key": "s", "value": {"stringValue": "text"}},
        {"key": "i", "value": {"intValue": "-9007199254740993"}},
        {"key": "b", "value": {"boolValue": True}},
        {"key": "d", "value": {"doubleValue": 0.25}},
        {"key": "bytes", "value": {"bytesValue": "AQID"}},
        {
            "key": "arr",
            "value": {
                "arrayValue": {
                    "values": [{"stringValue": "a"}, {"intValue": "1"}, {"boolValue": False}]
                }
            },
        },
        {
            "key": "kv",
            "value": {"kvlistValue": {"values": [{"key": "k", "value": {"doubleValue": 1.5}}]}},
        },
    ]


EXPECTED_ATTRIBUTES = {
    "s": "text",
    "i": "-9007199254740993",
    "b": "true",
    "d": "0.25",
    "bytes": "AQID",
    "arr": '["a",1,false]',
    "kv": '{"k":1.5}',
}


def test_json_traces_round_trip(server: RunningServer) -> None:
    """Hex ids, string int64s and every AnyValue type come back exactly from the trace API."""
    start = time.time_ns() - 60 * SECOND_NS
    document = {
        "resourceSpans": [
            {
                "resource": _resource("json-svc"),
                "scopeSpans": [
                    {
                        "scope": {"name": "hand.written", "version": "1.2.3"},
                        "spans": [
                            {
                                "traceId": TRACE_ID,
                                "spanId": ROOT_ID,
                                "name": "GET /users",
                                "kind": 2,
                                "startTimeUnixNano": str(start),
                                "endTimeUnixNano": str(start + 250_000_123),
                                "attributes": _every_any_value(),
                                "status": {"code": 2, "message": "boom"},
                                "events": [
                                    {
                                        "timeUnixNano": str(start + 7),
                                        "name": "exception",
                                        "attributes": [{"key": "n", "value": {"intValue": "3"}}],
                                    }
                                ],
                            },
                            {
                                "traceId": TRACE_ID.upper(),
                                "spanId": CHILD_ID,
                                "parentSpanId": ROOT_ID,
                                "traceState": "k=v",
                                "name": "SELECT users",
                                "kind": 3,
                                "startTimeUnixNano": str(start + 1),
                                "endTimeUnixNano": str(start + 1001),
                                "links": [
                                    {
                                        "traceId": LINKED_TRACE,
                                        "spanId": LINKED_SPAN,
                                        "traceState": "a=b",
                                        "attributes": [
                                            {"key": "why", "value": {"stringValue": "batch"}}
                                        ],
                                    }
                                ],
                            },
                        ],
                    }
                ],
            }
        ]
    }
    response = _post(server, "traces", document)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {}
    server.flush()
    trace = httpx.get(f"{server.url}/api/v1/traces/{TRACE_ID}").json()
    assert trace["trace_id"] == TRACE_ID
    assert trace["start_unix_nano"] == start
    assert trace["span_count"] == 2
    assert trace["services"] == ["json-svc"]
    root, child = trace["spans"]
    assert root["span_id"] == ROOT_ID
    assert root["parent_span_id"] is None
    assert root["name"] == "GET /users"
    assert root["kind"] == "Server"
    assert root["start_unix_nano"] == start
    assert root["duration_ns"] == 250_000_123
    assert root["status_code"] == "Error"
    assert root["status_message"] == "boom"
    assert root["attributes"] == EXPECTED_ATTRIBUTES
    assert root["resource"] == {"service.name": "json-svc", "host.cores": "8"}
    assert root["scope"] == {"name": "hand.written", "version": "1.2.3"}
    assert root["events"] == [
        {
            "time": root["events"][0]["time"],
            "time_unix_nano": start + 7,
            "name": "exception",
            "attributes": {"n": "3"},
        }
    ]
    assert child["trace_id"] == TRACE_ID
    assert child["span_id"] == CHILD_ID
    assert child["parent_span_id"] == ROOT_ID
    assert child["trace_state"] == "k=v"
    assert child["kind"] == "Client"
    assert child["status_code"] == "Unset"
    assert child["duration_ns"] == 1000
    assert child["links"] == [
        {
            "trace_id": LINKED_TRACE,
            "span_id": LINKED_SPAN,
            "trace_state": "a=b",
            "attributes": {"why": "batch"},
        }
    ]


def _metric_document(now: int) -> dict[str, Any]:
    def point(offset_s: int, **fields: Any) -> dict[str, Any]:
        return {
            "timeUnixNano": str(now - offset_s * SECOND_NS),
            "startTimeUnixNano": str(now - 600 * SECOND_NS),
            "attributes": [{"key": "route", "value": {"stringValue": "/a"}}],
            **fields,
        }

    metrics = [
        {
            "name": "queue.depth",
            "unit": "{item}",
            "description": "items waiting",
            "gauge": {"dataPoints": [point(30, asDouble=12.5)]},
        },
        {
            "name": "requests",
            "unit": "{request}",
            "sum": {
                "aggregationTemporality": 1,
                "isMonotonic": True,
                "dataPoints": [point(30, asInt="7"), point(20, asInt="5")],
            },
        },
        {
            "name": "latency",
            "unit": "ms",
            "histogram": {
                "aggregationTemporality": 1,
                "dataPoints": [
                    point(
                        30,
                        count="4",
                        sum=50.0,
                        bucketCounts=["1", "2", "1"],
                        explicitBounds=[10.0, 20.0],
                        min=2.0,
                        max=25.0,
                    )
                ],
            },
        },
        {
            "name": "payload",
            "unit": "By",
            "exponentialHistogram": {
                "aggregationTemporality": 1,
                "dataPoints": [
                    point(
                        30,
                        count="3",
                        sum=9.0,
                        scale=1,
                        zeroCount="1",
                        positive={"offset": 2, "bucketCounts": ["1", "1"]},
                    )
                ],
            },
        },
        {
            "name": "rpc.duration",
            "unit": "s",
            "summary": {
                "dataPoints": [
                    point(
                        30,
                        count="2",
                        sum=10.0,
                        quantileValues=[{"quantile": 0.5, "value": 4.0}],
                    ),
                    point(
                        10,
                        count="5",
                        sum=40.0,
                        quantileValues=[{"quantile": 0.5, "value": 7.0}],
                    ),
                ]
            },
        },
    ]
    return {
        "resourceMetrics": [
            {"resource": _resource("json-metrics"), "scopeMetrics": [{"metrics": metrics}]}
        ]
    }


def test_json_metrics_round_trip(server: RunningServer) -> None:
    """Gauge, sum, histogram, exponential histogram and summary points come back as sent."""
    now = time.time_ns()
    response = _post(server, "metrics", _metric_document(now))
    assert response.status_code == 200
    assert response.json() == {}
    server.flush()
    catalogue = httpx.get(server.url + "/api/v1/metrics").json()["metrics"]
    summary = {m["name"]: (m["type"], m["unit"], m["points"], m["monotonic"]) for m in catalogue}
    assert summary == {
        "latency": ("histogram", "ms", 1, False),
        "payload": ("exponential_histogram", "By", 1, False),
        "queue.depth": ("gauge", "{item}", 1, False),
        "requests": ("sum", "{request}", 2, True),
        "rpc.duration": ("summary", "s", 2, False),
    }
    for metric in catalogue:
        assert metric["attribute_keys"] == ["route"]
        assert metric["services"] == ["json-metrics"]
    assert next(m for m in catalogue if m["name"] == "queue.depth")["description"] == (
        "items waiting"
    )

    def values(name: str, **params: str) -> list[float]:
        response = httpx.get(f"{server.url}/api/v1/metrics/{name}/series", params=params)
        assert response.status_code == 200, response.text
        (series,) = response.json()["series"]
        return [point["value"] for point in series["points"]]

    one_bucket = {"step": "7200"}
    assert values("queue.depth", agg="last", **one_bucket) == [12.5]
    assert values("requests", agg="sum", **one_bucket) == [12.0]
    assert values("requests", agg="rate", **one_bucket) == [12.0 / 7200]
    assert values("latency", agg="p50", **one_bucket) == [15.0]
    assert values("latency", agg="avg", **one_bucket) == [12.5]
    assert values("latency", agg="rate", **one_bucket) == [4 / 7200]
    assert values("payload", agg="avg", **one_bucket) == [3.0]
    # Summaries are cumulative: the second point's interval holds 3 observations summing to 30.
    assert values("rpc.duration", agg="avg", step="1") == [10.0]


def test_json_logs_round_trip(server: RunningServer) -> None:
    """Severity, string and structured bodies, attributes and trace correlation come back."""
    now = time.time_ns() - 5 * SECOND_NS
    document = {
        "resourceLogs": [
            {
                "resource": _resource("json-logs"),
                "scopeLogs": [
                    {
                        "scope": {"name": "app.logger"},
                        "logRecords": [
                            {
                                "timeUnixNano": str(now),
                                "observedTimeUnixNano": str(now + 5),
                                "severityNumber": 17,
                                "severityText": "ERROR",
                                "body": {"stringValue": "payment failed"},
                                "attributes": [{"key": "order", "value": {"intValue": "12"}}],
                                "traceId": TRACE_ID,
                                "spanId": ROOT_ID,
                            },
                            {
                                "observedTimeUnixNano": str(now - 1),
                                "severityNumber": 9,
                                "body": {
                                    "kvlistValue": {
                                        "values": [{"key": "msg", "value": {"stringValue": "hi"}}]
                                    }
                                },
                            },
                        ],
                    }
                ],
            }
        ]
    }
    response = _post(server, "logs", document)
    assert response.status_code == 200
    assert response.json() == {}
    server.flush()
    logs = httpx.get(server.url + "/api/v1/logs", params={"service": "json-logs"}).json()["logs"]
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
        (now, "ERROR", 17, "payment failed", {"order": "12"}, TRACE_ID, ROOT_ID, "app.logger"),
        (now - 1, "INFO", 9, '{"msg":"hi"}', {}, None, None, "app.logger"),
    ]
    assert logs[0]["resource"] == {"service.name": "json-logs", "host.cores": "8"}
    by_trace = httpx.get(server.url + "/api/v1/logs", params={"trace_id": TRACE_ID}).json()
    assert [log["body"] for log in by_trace["logs"]] == ["payment failed"]


def test_json_partial_success(server: RunningServer) -> None:
    """Items with invalid ids or values are refused in partialSuccess; the rest are stored."""
    start = time.time_ns() - 60 * SECOND_NS
    spans = [
        {"traceId": TRACE_ID, "spanId": ROOT_ID, "name": "kept",
         "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 10)},
        {"traceId": "0" * 32, "spanId": CHILD_ID, "name": "zero trace id",
         "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 10)},
        {"traceId": TRACE_ID, "spanId": "abcd", "name": "short span id",
         "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 10)},
    ]  # fmt: skip
    response = _post(server, "traces", {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]})
    assert response.status_code == 200
    partial = response.json()["partialSuccess"]
    assert partial["rejectedSpans"] == "2"
    assert "2 span(s)" in partial["errorMessage"]

    point = {"timeUnixNano": str(start), "asDouble": "NaN"}
    metrics = {"resourceMetrics": [{"scopeMetrics": [{"metrics": [
        {"name": "nan.gauge", "gauge": {"dataPoints": [point, {**point, "asDouble": 1.0}]}}
    ]}]}]}  # fmt: skip
    response = _post(server, "metrics", metrics)
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedDataPoints"] == "1"

    records = [{"timeUnixNano": str(start), "traceId": "abcd", "body": {"stringValue": "x"}}]
    logs = {"resourceLogs": [{"scopeLogs": [{"logRecords": records}]}]}
    response = _post(server, "logs", logs)
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedLogRecords"] == "1"

    server.flush()
    trace = httpx.get(f"{server.url}/api/v1/traces/{TRACE_ID}").json()
    assert [(span["name"], span["service"]) for span in trace["spans"]] == [
        ("kept", "unknown_service")
    ]
    metrics_text = httpx.get(server.url + "/metrics").text
    assert 'nightcall_items_dropped_total{reason="invalid_item",signal="traces"} 2.0' in (
        metrics_text
    )
