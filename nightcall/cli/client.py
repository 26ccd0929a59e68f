"""Where CLI commands get their answers: a running server, or the data directory itself.

Both paths run the same API code (the local one through an in-process ASGI transport), so
`--json` prints the same objects either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol

import httpx

from nightcall.config import Settings
from nightcall.errors import NightcallError, UserError


class ApiError(UserError):
    """The API answered with an error body, or could not be reached."""


class Backend(Protocol):
    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET an API path and return its JSON."""

    def send(self, method: str, path: str, body: Any = None) -> Any:
        """POST (or DELETE...) `body` as JSON to an API path and return its JSON."""


def _clean(params: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (params or {}).items() if v is not None}


def _raise_for(response: httpx.Response) -> None:
    if response.is_success:
        return
    try:
        error = response.json()["error"]
        message, hint, location = error["message"], error.get("hint"), error.get("location")
    except (ValueError, KeyError, TypeError):
        message, hint, location = response.text[:300], None, None
    raise ApiError(
        f"{response.request.url} answered {response.status_code}: {message}",
        hint=hint,
        location=location,
    )


class RemoteBackend:
    """A server reached over HTTP."""

    def __init__(self, client: httpx.Client):
        self.client = client

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._request("GET", path, params=_clean(params))

    def send(self, method: str, path: str, body: Any = None) -> Any:
        return self._request(method, path, json=body)

    def _request(self, method: str, path: str, **options: Any) -> Any:
        try:
            response = self.client.request(method, path, **options)
        except httpx.HTTPError as exc:
            raise ApiError(
                f"cannot reach {self.client.base_url}: {exc}",
                hint="start it with `nightcall serve`, or pass the right --url",
            ) from None
        _raise_for(response)
        return response.json()


class LocalBackend:
    """The API app run in this process on an opened data directory, without a socket."""

    def __init__(self, app: Any):
        self.app = app

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._request("GET", path, params=_clean(params))

    def send(self, method: str, path: str, body: Any = None) -> Any:
        return self._request(method, path, json=body)

    def _request(self, method: str, path: str, **options: Any) -> Any:
        async def fetch() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://local") as client:
                response = await client.request(method, path, **options)
                await response.aread()
                return response

        response = asyncio.run(fetch())
        _raise_for(response)
        return response.json()


def server_answers(url: str, *, timeout_s: float = 1.0) -> bool:
    """Whether a nightcall server answers /healthz at `url`."""
    try:
        return httpx.get(url.rstrip("/") + "/healthz", timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def default_url(settings: Settings) -> str:
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    return f"http://{host}:{settings.port}"


@contextmanager
def open_backend(settings: Settings, url: str | None, key: str | None) -> Iterator[Backend]:
    """A backend for `url`; without one, the local server if it answers, else the data dir."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    local_url = default_url(settings)
    if url or server_answers(local_url):
        with httpx.Client(base_url=url or local_url, headers=headers, timeout=60) as client:
            yield RemoteBackend(client)
        return
    from nightcall.api.app import create_app
    from nightcall.api.keys import KeyRing
    from nightcall.api.server import build_runtime

    try:
        # Whoever can open the data directory can read it anyway, so local mode needs no key.
        runtime = build_runtime(settings, keyring=KeyRing(None))
    except NightcallError as exc:
        raise ApiError(
            f"no server answers at {local_url}, and the data directory {settings.data_dir} "
            f"cannot be opened: {exc.message}",
            hint="start `nightcall serve`, pass --url for a remote server, or --data-dir",
        ) from None
    try:
        yield LocalBackend(create_app(runtime))
    finally:
        runtime.pipeline.close()
        runtime.store.close()
