"""Keys: off until the first key exists, then required for ingest and the API."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from nightcall.api.keys import KeyKind, KeyRing
from nightcall.api.server import build_runtime
from nightcall.config import Settings
from nightcall.errors import ConfigError
from tests.conftest import RunningServer

EMPTY_TRACES = {"resourceSpans": []}


def test_without_keys_loopback_is_open(server: RunningServer) -> None:
    """With no key configured, a loopback server accepts ingest and queries without one."""
    assert httpx.post(server.url + "/v1/traces", json=EMPTY_TRACES).status_code == 200
    assert httpx.get(server.url + "/api/v1/services").status_code == 200


def test_keys_are_required_once_one_exists(
    keyring: KeyRing, make_server: Callable[..., RunningServer]
) -> None:
    """Ingest needs an ingest key and the API an API key; each refuses the other kind."""
    _, ingest = keyring.create(KeyKind.INGEST)
    _, api = keyring.create(KeyKind.API)
    server = make_server()
    ingest_header = {"Authorization": f"Bearer {ingest}"}
    api_header = {"Authorization": f"Bearer {api}"}

    refused = httpx.post(server.url + "/v1/traces", json=EMPTY_TRACES)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert refused.json()["error"]["location"] == "Authorization"
    ok = httpx.post(server.url + "/v1/traces", json=EMPTY_TRACES, headers=ingest_header)
    assert ok.status_code == 200
    wrong_kind = httpx.post(server.url + "/v1/traces", json=EMPTY_TRACES, headers=api_header)
    assert wrong_kind.status_code == 401

    assert httpx.get(server.url + "/api/v1/services").status_code == 401
    assert httpx.get(server.url + "/api/v1/services", headers=ingest_header).status_code == 401
    assert httpx.get(server.url + "/api/v1/services", headers=api_header).status_code == 200
    assert httpx.get(server.url + "/metrics").status_code == 401
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_revoked_key_stops_working_at_once(
    keyring: KeyRing, make_server: Callable[..., RunningServer]
) -> None:
    """A key revoked while the server runs is refused on the next request."""
    record, secret = keyring.create(KeyKind.API)
    keyring.create(KeyKind.API)  # keep keys enabled after the revocation
    server = make_server()
    headers = {"X-Nightcall-Key": secret}
    assert httpx.get(server.url + "/api/v1/services", headers=headers).status_code == 200
    keyring.revoke(record.id)
    assert httpx.get(server.url + "/api/v1/services", headers=headers).status_code == 401


def test_listening_beyond_loopback_without_keys_is_refused(
    make_settings: Callable[..., Settings],
) -> None:
    """Binding to 0.0.0.0 with no key is refused with a message that says what to do."""
    with pytest.raises(
        ConfigError, match=r"refusing to listen on 0\.0\.0\.0 without keys"
    ) as caught:
        build_runtime(make_settings(host="0.0.0.0"))
    assert caught.value.hint is not None
    assert "nightcall keys create" in caught.value.hint


def test_secrets_are_not_stored(keyring: KeyRing) -> None:
    """The key file holds digests only; the secret appears nowhere in it."""
    _, secret = keyring.create(KeyKind.SENTRY, project="7")
    assert keyring.path is not None
    text = keyring.path.read_text()
    assert secret not in text
    assert '"project": "7"' in text
