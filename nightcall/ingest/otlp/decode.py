"""OTLP request bodies (protobuf or the OTLP/JSON mapping) → the official protobuf messages.

Both encodings end as the same message, so one flattener serves both. The JSON mapping differs
from protobuf's canonical JSON in one way that matters: trace and span ids are hex, not base64.
"""

from __future__ import annotations

import base64
from typing import Any

import orjson
from google.protobuf import json_format
from google.protobuf.message import DecodeError as ProtobufDecodeError
from google.protobuf.message import Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

from nightcall.errors import DecodeError
from nightcall.model import Signal

REQUEST_TYPES: dict[Signal, type[Message]] = {
    Signal.TRACES: ExportTraceServiceRequest,
    Signal.METRICS: ExportMetricsServiceRequest,
    Signal.LOGS: ExportLogsServiceRequest,
}
RESPONSE_TYPES: dict[Signal, type[Message]] = {
    Signal.TRACES: ExportTraceServiceResponse,
    Signal.METRICS: ExportMetricsServiceResponse,
    Signal.LOGS: ExportLogsServiceResponse,
}
_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"})


def decode_protobuf(signal: Signal, body: bytes) -> Any:
    """Parse an OTLP protobuf body; any malformation raises `DecodeError`."""
    message = REQUEST_TYPES[signal]()
    try:
        message.ParseFromString(body)
    except (ProtobufDecodeError, RuntimeError, ValueError) as exc:
        raise DecodeError(
            f"the body is not a valid OTLP {signal} protobuf message ({exc})",
            location="body",
            hint=f"send a serialized {type(message).__name__}, or set "
            "Content-Type: application/json for the JSON encoding",
        ) from None
    return message


def decode_json(signal: Signal, body: bytes) -> Any:
    """Parse an OTLP/JSON body (hex ids, string-encoded int64s) into the protobuf message."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(
            f"the body is not valid JSON: {exc}", location="body", hint="send OTLP/JSON"
        ) from None
    if not isinstance(document, dict):
        raise DecodeError(
            f"the body is a JSON {type(document).__name__}, not an object",
            location="body",
            hint='an OTLP/JSON request is an object like {"resourceSpans": [...]}',
        )
    _hex_ids_to_base64(document, "")
    message = REQUEST_TYPES[signal]()
    try:
        json_format.ParseDict(document, message, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
        raise DecodeError(
            f"the JSON does not match the OTLP {signal} schema: {exc}",
            location="body",
            hint="see the OTLP/JSON mapping: lowerCamelCase keys, hex ids, int64 as strings",
        ) from None
    return message


def _hex_ids_to_base64(document: Any, path: str) -> None:
    """Rewrite hex id fields in place into the base64 protobuf's JSON parser expects.

    The walk keeps its own stack: JSON nests deeper (orjson allows 1,024 levels) than Python
    recurses, and a deep body must be refused by the schema check, not crash the request.
    """
    stack = [(document, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                inner = f"{where}.{key}" if where else key
                if key in _ID_KEYS and isinstance(value, str):
                    node[key] = _hex_to_base64(value, inner)
                elif isinstance(value, dict | list):
                    stack.append((value, inner))
        elif isinstance(node, list):
            stack.extend(
                (item, f"{where}[{index}]")
                for index, item in enumerate(node)
                if isinstance(item, dict | list)
            )


def _hex_to_base64(value: str, where: str) -> str:
    try:
        return base64.b64encode(bytes.fromhex(value)).decode()
    except ValueError:
        raise DecodeError(
            f"{where} is {value!r}, which is not a hex id",
            location=where,
            hint="OTLP/JSON writes trace ids as 32 and span ids as 16 hex digits",
        ) from None


def encode_response(
    signal: Signal, *, rejected: int, message: str, as_json: bool
) -> tuple[bytes, str]:
    """The OTLP Export*ServiceResponse, with partial_success filled when items were refused."""
    response: Any = RESPONSE_TYPES[signal]()  # one of three classes with partial_success
    if rejected:
        field = {Signal.TRACES: "rejected_spans", Signal.METRICS: "rejected_data_points"}.get(
            signal, "rejected_log_records"
        )
        setattr(response.partial_success, field, rejected)
        response.partial_success.error_message = message
    if as_json:
        return json_format.MessageToJson(response, indent=None).encode(), "application/json"
    return response.SerializeToString(), "application/x-protobuf"
