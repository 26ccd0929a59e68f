"""Bad OTLP requests get the right status and error body, are counted, and harm nothing stored."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable

import httpx
import pytest
from google.rpc.status_pb2 import Status

from tests.conftest import RunningServer
from tests.store.telemetry import MS_NS, make_span, span_id, trace_id, traces_request

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def _good_trace(number: int) -> bytes:
    """A serialized one-span trace request whose trace id is `trace_id(number)`."""
    span = make_span(
        trace=trace_id(number),
        span=span_id(number),
        name=f"GET /{number}",
        start_ns=time.time_ns() - 60_000 * MS_NS,
        duration_ns=MS_NS,
    )
    return bytes(traces_request({"svc": [span]}).SerializeToString())


def _assert_error_shape(response: httpx.Response, status: int, code: str) -> dict[str, str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "location", "hint"}
    assert error["code"] == code
    assert error["message"]
    assert error["hint"]
    return dict(error)


BAD_JSON = [
    (b'{"resourceSpans": 5}', "body"),
    (b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": 5}]}]}]}', "body"),
    (
        b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz"}]}]}]}',
        "resourceSpans[0].scopeSpans[0].spans[0].traceId",
    ),
    (b"[1, 2]", "body"),
    (b'"resourceSpans"', "body"),
    (b"null", "body"),
    (b"{not json", "body"),
    (b"", "body"),
]


@pytest.mark.parametrize(("body", "location"), BAD_JSON)
def test_bad_json_is_a_located_400(server: RunningServer, body: bytes, location: str) -> None:
    """JSON of the wrong shape or types is 400 decode_error in the JSON error shape."""
    response = httpx.post(server.url + "/v1/traces", content=body, headers=JSON)
    error = _assert_error_shape(response, 400, "decode_error")
    assert error["location"] == location


@pytest.mark.parametrize(
    "body",
    [_good_trace(1)[:-7], b"\xff\xff\xff\xff\xff", b"\x0a\xff\xff\xff\xff\x0f"],
    ids=["truncated", "garbage", "huge-length"],
)
def test_bad_protobuf_gets_a_rpc_status(server: RunningServer, body: bytes) -> None:
    """A malformed protobuf body is 400 with a google.rpc.Status body, as OTLP asks."""
    response = httpx.post(server.url + "/v1/traces", content=body, headers=PROTOBUF)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/x-protobuf"
    status = Status.FromString(response.content)
    assert status.code == 3  # INVALID_ARGUMENT
    assert "not a valid OTLP traces protobuf message" in status.message


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", ""])
def test_wrong_content_type_is_415(server: RunningServer, content_type: str) -> None:
    """A body that is neither OTLP encoding is 415, located at the Content-Type."""
    response = httpx.post(
        server.url + "/v1/logs", content=b"{}", headers={"Content-Type": content_type}
    )
    error = _assert_error_shape(response, 415, "unsupported_media_type")
    assert error["location"] == "Content-Type"


def test_unknown_content_encoding_is_415(server: RunningServer) -> None:
    """An unknown Content-Encoding is 415, located at that header."""
    headers = {**JSON, "Content-Encoding": "br"}
    response = httpx.post(server.url + "/v1/metrics", content=b"{}", headers=headers)
    error = _assert_error_shape(response, 415, "unsupported_media_type")
    assert error["location"] == "Content-Encoding"


@pytest.mark.parametrize(
    "body", [b"not gzip at all", gzip.compress(b'{"resourceSpans": []}')[:-10]]
)
def test_bad_or_truncated_gzip_is_400(server: RunningServer, body: bytes) -> None:
    """A body that is not gzip, or is cut short, is 400 decode_error."""
    headers = {**JSON, "Content-Encoding": "gzip"}
    response = httpx.post(server.url + "/v1/traces", content=body, headers=headers)
    error = _assert_error_shape(response, 400, "decode_error")
    assert error["location"] == "body"


def test_oversize_bodies_are_413(make_server: Callable[..., RunningServer]) -> None:
    """A body over max_body_bytes, by Content-Length or once decompressed, is 413."""
    server = make_server(max_body_bytes=1024)
    response = httpx.post(server.url + "/v1/traces", content=b"x" * 2048, headers=JSON)
    error = _assert_error_shape(response, 413, "payload_too_large")
    assert error["location"] == "Content-Length"
    bomb = gzip.compress(b" " * 200_000)
    assert len(bomb) < 1024
    headers = {**JSON, "Content-Encoding": "gzip"}
    response = httpx.post(server.url + "/v1/traces", content=bomb, headers=headers)
    error = _assert_error_shape(response, 413, "payload_too_large")
    assert error["location"] == "gzip-decompressed body"
    response = httpx.post(server.url + "/v1/traces", content=bomb, headers=headers | PROTOBUF)
    assert response.status_code == 413
    assert Status.FromString(response.content).code == 8  # RESOURCE_EXHAUSTED


def test_server_survives_bad_input_and_counts_it(server: RunningServer) -> None:
    """After bad requests the server stores a good one, keeps earlier data, and counts drops."""
    url = server.url + "/v1/traces"
    assert httpx.post(url, content=_good_trace(1), headers=PROTOBUF).status_code == 200
    server.flush()
    assert httpx.post(url, content=b"\xff\xff", headers=PROTOBUF).status_code == 400
    assert httpx.post(url, content=b"[]", headers=JSON).status_code == 400
    assert httpx.post(url, content=b"{}", headers={"Content-Type": "a/b"}).status_code == 415
    gzip_headers = {**JSON, "Content-Encoding": "gzip"}
    assert httpx.post(url, content=b"nope", headers=gzip_headers).status_code == 400
    assert httpx.post(url, content=_good_trace(2), headers=PROTOBUF).status_code == 200
    server.flush()
    for number in (1, 2):
        trace = httpx.get(f"{server.url}/api/v1/traces/{trace_id(number).hex()}").json()
        assert [span["name"] for span in trace["spans"]] == [f"GET /{number}"]
    metrics = httpx.get(server.url + "/metrics").text
    assert 'nightcall_items_dropped_total{reason="decode_error",signal="traces"} 3.0' in metrics
    assert (
        'nightcall_items_dropped_total{reason="unsupported_media_type",signal="traces"} 1.0'
        in metrics
    )
    assert 'nightcall_items_accepted_total{signal="traces"} 2.0' in metrics


def test_full_backlog_is_503_with_retry_after(make_server: Callable[..., RunningServer]) -> None:
    """When the WAL backlog cannot take a request, the answer is 503 with Retry-After."""
    server = make_server(wal_max_pending_bytes=16)
    response = httpx.post(server.url + "/v1/traces", content=_good_trace(1), headers=PROTOBUF)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert Status.FromString(response.content).code == 14  # UNAVAILABLE
    body = b'{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"body": {"stringValue": "x"}}]}]}]}'
    response = httpx.post(server.url + "/v1/logs", content=body, headers=JSON)
    error = _assert_error_shape(response, 503, "overloaded")
    assert response.headers["retry-after"] == "2"
    assert error["location"] is None
    metrics = httpx.get(server.url + "/metrics").text
    assert 'nightcall_items_dropped_total{reason="overloaded",signal="logs"} 1.0' in metrics


@pytest.mark.parametrize("depth", [200, 990, 1020, 5000])
def test_deeply_nested_json_is_400(server: RunningServer, depth: int) -> None:
    """JSON nested to any depth is refused as 400 decode_error, never a 500."""
    body = b'{"resourceSpans": ' + b"[" * depth + b"]" * depth + b"}"
    response = httpx.post(server.url + "/v1/traces", content=body, headers=JSON)
    _assert_error_shape(response, 400, "decode_error")


def test_protobuf_error_body_ignores_content_type_case(server: RunningServer) -> None:
    """A protobuf request with a mixed-case Content-Type still gets a google.rpc.Status."""
    headers = {"Content-Type": "Application/X-Protobuf"}
    response = httpx.post(server.url + "/v1/traces", content=b"\xff\xff", headers=headers)
    assert response.status_code == 400
    assert Status.FromString(response.content).code == 3
