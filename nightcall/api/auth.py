"""Key checks: once any key exists, ingest needs an ingest key and the API an API key."""

from __future__ import annotations

from starlette.requests import Request

from nightcall.api.keys import KeyKind, KeyRing
from nightcall.errors import AuthError


def presented_secret(request: Request) -> str | None:
    """The key a request carries: `Authorization: Bearer K` or `X-Nightcall-Key: K`."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-nightcall-key") or None


def require_key(request: Request, keyring: KeyRing, kinds: set[KeyKind]) -> None:
    """Raise `AuthError` unless keys are off or the request carries a key of `kinds`."""
    if not keyring.is_enabled():
        return
    secret = presented_secret(request)
    names = " or ".join(sorted(kinds))
    if secret is None:
        raise AuthError(
            f"{request.url.path} needs a {names} key and the request carries none",
            location="Authorization",
            hint="send 'Authorization: Bearer KEY' (OTel SDKs: OTEL_EXPORTER_OTLP_HEADERS="
            "'Authorization=Bearer KEY'); create one with `nightcall keys create --kind "
            f"{sorted(kinds)[0]}`",
        )
    if not keyring.verify(secret, kinds):
        raise AuthError(
            f"the key sent to {request.url.path} is not a live {names} key",
            location="Authorization",
            hint="check it with `nightcall keys list`; it may have been revoked",
        )
