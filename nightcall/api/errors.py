"""One error shape for every HTTP failure: `{"error": {"code", "message", "location", "hint"}}`.

OTLP clients that sent protobuf get a `google.rpc.Status` message instead, as the OTLP spec asks.
"""

from __future__ import annotations

import logging

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from nightcall.errors import ErrorCode, NightcallError, Overloaded
from nightcall.ingest.otlp.routes import PROTOBUF, media_type
from nightcall.model import ItemCounters

log = logging.getLogger("nightcall.api")

# HTTP status → google.rpc.Code, for OTLP's protobuf error bodies.
_RPC_CODES = {400: 3, 401: 16, 404: 5, 413: 8, 415: 3, 429: 8, 503: 14, 500: 13}
_CODES_BY_STATUS: dict[int, ErrorCode] = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "bad_request",
    413: "payload_too_large",
    415: "unsupported_media_type",
    503: "overloaded",
}


def error_body(
    code: ErrorCode, message: str, location: str | None = None, hint: str | None = None
) -> bytes:
    return orjson.dumps(
        {"error": {"code": code, "message": message, "location": location, "hint": hint}}
    )


def error_response(request: Request, exc: NightcallError) -> Response:
    headers = {}
    if isinstance(exc, Overloaded):
        headers["Retry-After"] = str(exc.retry_after_s)
    is_otlp = request.url.path.startswith("/v1/")
    if is_otlp and media_type(request) == PROTOBUF:  # read as the OTLP routes read it
        from google.rpc.status_pb2 import Status

        status = Status(code=_RPC_CODES.get(exc.status, 2), message=exc.message)
        return Response(
            status.SerializeToString(),
            status_code=exc.status,
            media_type="application/x-protobuf",
            headers=headers,
        )
    return Response(
        error_body(exc.code, exc.message, exc.location, exc.hint),
        status_code=exc.status,
        media_type="application/json",
        headers=headers,
    )


def install_error_handlers(app: FastAPI, counters: ItemCounters) -> None:
    """Route every failure through `error_response`; count refused ingest requests."""

    async def on_nightcall_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, NightcallError):  # pragma: no cover - registration guarantees it
            raise exc
        if request.url.path.startswith("/v1/"):
            counters.dropped(request.url.path.removeprefix("/v1/"), exc.code)
        if exc.status >= 500 and not isinstance(exc, Overloaded):
            log.error("request %s %s failed: %s", request.method, request.url.path, exc.message)
        return error_response(request, exc)

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        errors = exc.errors() if isinstance(exc, RequestValidationError) else []
        first = errors[0] if errors else {}
        location = ".".join(str(part) for part in first.get("loc", ()))
        message = f"{location}: {first.get('msg', 'invalid value')}"
        if "input" in first:
            message += f" (got {first['input']!r})"
        return Response(
            error_body("bad_request", message, location, "see /docs for the parameter types"),
            status_code=400,
            media_type="application/json",
        )

    async def on_http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "internal error"
        message = f"{request.method} {request.url.path}: {detail}"
        hint = "see /docs for the API's paths" if status in (404, 405) else None
        return Response(
            error_body(_CODES_BY_STATUS.get(status, "internal_error"), message, None, hint),
            status_code=status,
            media_type="application/json",
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return Response(
            error_body("internal_error", f"internal error: {type(exc).__name__}: {exc}"),
            status_code=500,
            media_type="application/json",
        )

    app.add_exception_handler(NightcallError, on_nightcall_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(Exception, on_unexpected)
