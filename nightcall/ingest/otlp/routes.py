"""OTLP/HTTP endpoints: `POST /v1/traces`, `/v1/metrics`, `/v1/logs`.

They only parse, hand the decoded request to `submit`, and answer as the OTLP spec says: 200 with
an Export*ServiceResponse (partial success when items were refused), 400/413/415 for bad input,
and 503 with Retry-After when the backlog is full.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nightcall.errors import UnsupportedMediaType
from nightcall.ingest.body import decompress, read_limited
from nightcall.ingest.otlp.decode import decode_json, decode_protobuf, encode_response
from nightcall.ingest.otlp.flatten_logs import flatten_logs
from nightcall.ingest.otlp.flatten_metrics import flatten_metrics
from nightcall.ingest.otlp.flatten_traces import flatten_traces
from nightcall.model import DecodedRequest, Signal

Submit: TypeAlias = Callable[[DecodedRequest], Awaitable[None]]
PROTOBUF = "application/x-protobuf"
JSON = "application/json"

_FLATTEN: dict[Signal, Callable[[Any], DecodedRequest]] = {
    Signal.TRACES: flatten_traces,
    Signal.METRICS: flatten_metrics,
    Signal.LOGS: flatten_logs,
}


def media_type(request: Request) -> str:
    """The request's content type without parameters, lowercased."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def decode_otlp(signal: Signal, content_type: str, body: bytes) -> DecodedRequest:
    """Bytes of either OTLP encoding → the flattened batches for the store."""
    if content_type == PROTOBUF:
        message = decode_protobuf(signal, body)
    elif content_type == JSON:
        message = decode_json(signal, body)
    else:
        raise UnsupportedMediaType(
            f"Content-Type {content_type or '(none)'!r} is not an OTLP encoding",
            location="Content-Type",
            hint=f"send {PROTOBUF} or {JSON}",
        )
    return _FLATTEN[signal](message)


def otlp_routes(*, submit: Submit, max_body_bytes: int) -> list[Route]:
    """The three OTLP/HTTP routes, bound to `submit`."""

    def endpoint(signal: Signal) -> Callable[[Request], Awaitable[Response]]:
        async def receive(request: Request) -> Response:
            content_type = media_type(request)
            if content_type not in (PROTOBUF, JSON):
                decode_otlp(signal, content_type, b"")  # raises the 415 with its message
            body = await read_limited(
                request.stream(),
                declared_length=request.headers.get("content-length"),
                max_bytes=max_body_bytes,
            )
            body = decompress(
                body, request.headers.get("content-encoding"), max_bytes=max_body_bytes
            )
            decoded = decode_otlp(signal, content_type, body)
            await submit(decoded)
            payload, response_type = encode_response(
                signal,
                rejected=decoded.rejected,
                message=decoded.rejection_reason,
                as_json=content_type == JSON,
            )
            return Response(payload, media_type=response_type)

        return receive

    return [
        Route(f"/v1/{signal}", endpoint(signal), methods=["POST"], name=f"otlp_{signal}")
        for signal in (Signal.TRACES, Signal.METRICS, Signal.LOGS)
    ]
