"""OTLP ingest bugs found by the test suite, each pinned by a request to a real server.

Fixed ones must stay fixed; the ones still open are marked xfail(strict) with the reason, so
the mark has to come off in the change that fixes them.
"""

from __future__ import annotations

import gzip
import time
import zlib

import httpx
import orjson
import pytest
from google.rpc.status_pb2 import Status

from tests.conftest import RunningServer
from tests.store.telemetry import MS_NS, make_span, span_id, trace_id, traces_request

PROTOBUF = {"Content-Type": "application/x-protobuf"}
JSON = {"Content-Type": "application/json"}


def _trace_body(*numbers: int) -> bytes:
    """A serialized request with one root span per number, in trace `trace_id(number)`."""
    start_ns = time.time_ns() - 60_000 * MS_NS
    spans = [
        make_span(
            trace=trace_id(n),
            span=span_id(n),
            name=f"GET /{n}",
            start_ns=start_ns,
            duration_ns=MS_NS,
        )
        for n in numbers
    ]
    return bytes(traces_request({"svc": spans}).SerializeToString())


def _span_names(server: RunningServer, number: int) -> list[str]:
    response = httpx.get(f"{server.url}/api/v1/traces/{trace_id(number).hex()}")
    assert response.status_code == 200, response.text
    return [span["name"] for span in response.json()["spans"]]


def test_every_member_of_a_multi_member_gzip_body_is_stored(server: RunningServer) -> None:
    """A gzip body of two members (RFC 1952) stores both requests' spans, not only the first."""
    body = gzip.compress(_trace_body(1)) + gzip.compress(_trace_body(2))
    headers = {**PROTOBUF, "Content-Encoding": "gzip"}
    response = httpx.post(server.url + "/v1/traces", content=body, headers=headers)
    assert response.status_code == 200, response.content
    server.flush()
    assert _span_names(server, 1) == ["GET /1"]
    assert _span_names(server, 2) == ["GET /2"]


def test_deflate_with_a_small_zlib_window_is_accepted(server: RunningServer) -> None:
    """A zlib stream with a 512-byte window (header 0x18, not 0x78) is read as zlib."""
    compressor = zlib.compressobj(wbits=9)
    body = compressor.compress(_trace_body(3)) + compressor.flush()
    assert body[:1] != b"\x78"
    headers = {**PROTOBUF, "Content-Encoding": "deflate"}
    response = httpx.post(server.url + "/v1/traces", content=body, headers=headers)
    assert response.status_code == 200, response.content
    server.flush()
    assert _span_names(server, 3) == ["GET /3"]


def test_json_nested_deeper_than_python_recurses_is_a_400(server: RunningServer) -> None:
    """JSON nested 1,000 deep (orjson's limit is 1,024) is a located 400, not a 500."""
    body = b'{"resourceSpans": [{"resource": ' + b"[" * 1000 + b"]" * 1000 + b"}]}"
    response = httpx.post(server.url + "/v1/traces", content=body, headers=JSON)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "decode_error"
    assert error["location"] == "body"
    assert error["message"].startswith("the JSON does not match the OTLP traces schema")
    response = httpx.post(server.url + "/v1/traces", content=_trace_body(4), headers=PROTOBUF)
    assert response.status_code == 200
    server.flush()
    assert _span_names(server, 4) == ["GET /4"]


@pytest.mark.parametrize("content_type", ["Application/X-Protobuf", "application/x-protobuf ; x=1"])
def test_protobuf_errors_follow_the_content_type_however_it_is_written(
    server: RunningServer, content_type: str
) -> None:
    """A protobuf request whose Content-Type differs in case or spacing gets a google.rpc.Status."""
    response = httpx.post(
        server.url + "/v1/traces", content=b"\xff\xff\xff", headers={"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/x-protobuf"
    status = Status.FromString(response.content)
    assert status.code == 3  # INVALID_ARGUMENT
    assert status.message.startswith("the body is not a valid OTLP traces protobuf message")


# DateTime64(9) ends at 2262-04-11; OTLP's fixed64 goes on to 2554. Times past the end wrap.
_FAR_FUTURE_NS = 2**64 - 10


def test_a_span_starting_past_2262_is_rejected_not_wrapped(server: RunningServer) -> None:
    """A span whose start the store cannot hold is refused in partialSuccess, not stored wrapped."""
    now_ns = time.time_ns()
    spans = [
        {"traceId": trace_id(number).hex(), "spanId": span_id(number).hex(), "name": name,
         "startTimeUnixNano": str(start_ns), "endTimeUnixNano": str(start_ns)}
        for number, name, start_ns in ((5, "good", now_ns), (6, "far", _FAR_FUTURE_NS))
    ]  # fmt: skip
    body = orjson.dumps({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]})
    response = httpx.post(server.url + "/v1/traces", content=body, headers=JSON)
    assert response.status_code == 200
    assert response.json()["partialSuccess"]["rejectedSpans"] == "1"
    server.flush()
    assert _span_names(server, 5) == ["good"]
    far = httpx.get(f"{server.url}/api/v1/traces/{trace_id(6).hex()}")
    assert far.status_code == 404


def test_a_log_record_past_2262_is_rejected_not_wrapped(server: RunningServer) -> None:
    """A log record whose time the store cannot hold is refused in partialSuccess."""
    record = {"timeUnixNano": str(_FAR_FUTURE_NS), "body": {"stringValue": "from the future"}}
    body = orjson.dumps({"resourceLogs": [{"scopeLogs": [{"logRecords": [record]}]}]})
    response = httpx.post(server.url + "/v1/logs", content=body, headers=JSON)
    assert response.status_code == 200
    server.flush()
    assert response.json().get("partialSuccess", {}).get("rejectedLogRecords") == "1"
