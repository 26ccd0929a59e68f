"""Fixtures around the real `sentry-sdk`: a client pointed at a test server, closed afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sentry_sdk

from nightcall.api.keys import KeyKind, KeyRing
from tests.conftest import RunningServer


@dataclass
class SentryServer:
    """A running server with sentry and API keys: the DSN to init with and API headers."""

    server: RunningServer
    dsn: str
    sentry_key: str
    api_headers: dict[str, str]


@pytest.fixture
def sentry_server(keyring: KeyRing, make_server: Callable[..., RunningServer]) -> SentryServer:
    """A server whose keys are on: one sentry key for project 1, one API key."""
    _, sentry_key = keyring.create(KeyKind.SENTRY, project="1")
    _, api_key = keyring.create(KeyKind.API)
    server = make_server()
    return SentryServer(
        server=server,
        dsn=f"http://{sentry_key}@127.0.0.1:{server.port}/1",
        sentry_key=sentry_key,
        api_headers={"Authorization": f"Bearer {api_key}"},
    )


@pytest.fixture
def sentry_init() -> Iterator[Callable[..., None]]:
    """`sentry_sdk.init` with no default integrations; flushed and closed after the test."""

    def init(dsn: str, **options: Any) -> None:
        sentry_sdk.init(dsn=dsn, default_integrations=False, **options)

    yield init
    client = sentry_sdk.get_client()
    client.flush(timeout=10)
    client.close()
    sentry_sdk.get_global_scope().set_client(None)
    sentry_sdk.get_isolation_scope().clear()
    sentry_sdk.get_current_scope().clear()


def close_sdk() -> None:
    """Deliver everything the SDK holds, then close it so no transport thread outlives a test."""
    sentry_sdk.flush(timeout=10)
    sentry_sdk.get_client().close()
