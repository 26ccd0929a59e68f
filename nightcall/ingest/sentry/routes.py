"""Sentry endpoints: `POST /api/{project_id}/envelope/` and `POST /api/{project_id}/store/`.

An unchanged `sentry_sdk.init(dsn="http://KEY@HOST:PORT/PROJECT")` delivers here. The DSN's
public key is read from `X-Sentry-Auth: Sentry sentry_key=KEY, ...`, the `sentry_key` query
parameter, or the envelope header's `dsn`, and checked by the `authorize` callable the app
passes in (ingest does not know how keys are stored). Bodies may be gzip or deflate; brotli is
refused with 415, since the Python SDK only sends it when the `brotli` module is installed.
The answer is Sentry's: 200 `{"id": EVENT_ID}`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import TypeAlias

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from nightcall.errors import BadRequest
from nightcall.ingest.body import decompress, read_limited
from nightcall.ingest.sentry.decode_envelope import decode_envelope
from nightcall.ingest.sentry.decode_request import (
    SentryRequest,
    decode_envelope_items,
    decode_store_body,
)
from nightcall.model import DecodedRequest, ItemCounters, Signal

Submit: TypeAlias = Callable[[DecodedRequest], Awaitable[None]]
# (project id, the public key the request carries or None) → None, or raises AuthError.
Authorize: TypeAlias = Callable[[str, str | None], None]

_PROJECT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_AUTH_KEY = re.compile(r"sentry_key\s*=\s*([^,\s]+)")


def presented_sentry_key(request: Request) -> str | None:
    """The DSN public key in `X-Sentry-Auth` (or `Authorization: Sentry ...`) or the query."""
    for header in ("x-sentry-auth", "authorization"):
        value = request.headers.get(header, "")
        if value[:7].lower() == "sentry ":
            found = _AUTH_KEY.search(value)
            if found:
                return found.group(1)
    return request.query_params.get("sentry_key") or None


def _project_id(request: Request) -> str:
    project_id = str(request.path_params["project_id"])
    if not _PROJECT_ID.match(project_id):
        raise BadRequest(
            f"project id {project_id[:80]!r} is not a Sentry project id",
            location="project_id",
            hint="use the number at the end of the DSN, as in http://KEY@HOST:PORT/1",
        )
    return project_id


def sentry_routes(
    *,
    submit: Submit,
    authorize: Authorize,
    counters: ItemCounters,
    max_body_bytes: int,
    now_ns: Callable[[], int],
) -> list[Route]:
    """The two Sentry ingest routes, bound to `submit` and `authorize`."""

    async def read_body(request: Request) -> bytes:
        body = await read_limited(
            request.stream(),
            declared_length=request.headers.get("content-length"),
            max_bytes=max_body_bytes,
        )
        return decompress(body, request.headers.get("content-encoding"), max_bytes=max_body_bytes)

    async def answer(decoded: SentryRequest) -> Response:
        await asyncio.gather(*(submit(r) for r in decoded.requests))
        for reason, quantity in decoded.dropped.items():
            counters.dropped(Signal.ERRORS, reason, quantity)
        return Response(orjson.dumps({"id": decoded.event_id}), media_type="application/json")

    async def envelope(request: Request) -> Response:
        project_id = _project_id(request)
        key = presented_sentry_key(request)
        if key is not None:
            authorize(project_id, key)  # before reading a body a wrong key has no right to send
        parsed = decode_envelope(await read_body(request))
        if key is None:
            authorize(project_id, parsed.dsn_key)
        return await answer(
            decode_envelope_items(parsed, project_id=project_id, received_ns=now_ns())
        )

    async def store(request: Request) -> Response:
        project_id = _project_id(request)
        authorize(project_id, presented_sentry_key(request))
        body = await read_body(request)
        return await answer(decode_store_body(body, project_id=project_id, received_ns=now_ns()))

    return [
        Route("/api/{project_id}/envelope/", envelope, methods=["POST"], name="sentry_envelope"),
        Route("/api/{project_id}/store/", store, methods=["POST"], name="sentry_store"),
    ]
