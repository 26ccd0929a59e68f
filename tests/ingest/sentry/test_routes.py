"""The Sentry endpoints with the real `sentry-sdk`, and with raw envelopes over HTTP."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import sentry_sdk

from nightcall.api.keys import KeyKind, KeyRing
from tests.conftest import RunningServer
from tests.ingest.sentry.conftest import SentryServer, close_sdk

EVENT_ID = "0123456789abcdef0123456789abcdef"


def _level_three(n: int) -> float:
    local_secret = "frame-var"  # noqa: F841  # read back from the frame's vars
    return 1 / n


def _level_two(n: int) -> float:
    return _level_three(n - 1)


def _level_one() -> float:
    try:
        return _level_two(1)
    except ZeroDivisionError as exc:
        raise RuntimeError("checkout total failed") from exc


def _get(sentry: SentryServer, path: str, **params: Any) -> Any:
    response = httpx.get(
        sentry.server.url + path, params=params, headers=sentry.api_headers, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


def _envelope(*items: tuple[dict[str, Any], bytes], header: dict[str, Any] | None = None) -> bytes:
    lines = [orjson.dumps(header or {"event_id": EVENT_ID})]
    for item_header, payload in items:
        lines += [orjson.dumps(item_header), payload]
    return b"\n".join(lines) + b"\n"


def _event(**fields: Any) -> bytes:
    event = {
        "event_id": EVENT_ID,
        "timestamp": "2026-11-23T08:00:00Z",
        "level": "error",
        "platform": "python",
        "exception": {"values": [{"type": "KeyError", "value": "'sku'"}]},
        **fields,
    }
    return orjson.dumps(event)


def _serving(server: RunningServer) -> bool:
    return httpx.get(server.url + "/healthz").status_code == 200


def test_sdk_exception_keeps_every_frame_and_breadcrumb(
    sentry_server: SentryServer, sentry_init: Callable[..., None]
) -> None:
    """An exception captured by the real SDK comes back with its chain, frames and context."""
    sentry_init(sentry_server.dsn, release="shop@1.4.2", environment="prod")
    for number in range(3):
        sentry_sdk.add_breadcrumb(category="cart", message=f"step {number}", level="info")
    sentry_sdk.set_tag("service", "checkout")
    sentry_sdk.set_tag("region", "eu-west")
    sentry_sdk.set_user({"id": "user-42"})
    sentry_sdk.set_context("device", {"model": "Pixel 8", "family": "Pixel"})
    sentry_sdk.set_context("os", {"name": "Android", "version": "14"})
    sentry_sdk.set_context("app", {"app_version": "5.1.0"})
    try:
        _level_one()
    except RuntimeError:
        event_id = sentry_sdk.capture_exception()
    close_sdk()
    sentry_server.server.flush()

    listed = _get(sentry_server, "/api/v1/errors/events", service="checkout")["events"]
    assert [e["event_id"] for e in listed] == [event_id]
    summary = listed[0]
    assert summary["exception_type"] == "RuntimeError"
    assert summary["exception_value"] == "checkout total failed"
    assert (summary["release"], summary["environment"]) == ("shop@1.4.2", "prod")
    assert (summary["device"], summary["os"], summary["app_version"]) == (
        "Pixel 8",
        "Android 14",
        "5.1.0",
    )
    assert summary["user_id"] == "user-42"
    assert summary["tags"]["region"] == "eu-west"

    event = _get(sentry_server, f"/api/v1/errors/events/{event_id}")
    assert [e["type"] for e in event["exceptions"]] == ["ZeroDivisionError", "RuntimeError"]
    assert event["exceptions"][-1]["mechanism"]["type"]
    cause_frames = event["exceptions"][0]["stacktrace"]["frames"]
    assert [f["function"] for f in cause_frames] == ["_level_one", "_level_two", "_level_three"]
    deepest = cause_frames[-1]
    assert deepest["module"] == __name__
    assert deepest["filename"].endswith("test_routes.py")
    assert deepest["abs_path"] == __file__
    assert deepest["context_line"].strip() == "return 1 / n"
    assert deepest["pre_context"]
    assert deepest["post_context"] is not None
    assert deepest["in_app"] is True
    assert deepest["vars"]["local_secret"] == "'frame-var'"
    assert isinstance(deepest["lineno"], int)
    assert [b["message"] for b in event["breadcrumbs"]] == ["step 0", "step 1", "step 2"]
    assert {b["category"] for b in event["breadcrumbs"]} == {"cart"}
    assert event["contexts"]["device.model"] == "Pixel 8"
    assert event["level"] == "error"
    assert event["platform"] == "python"
    assert _serving(sentry_server.server)


def test_sdk_transaction_arrives_as_spans(
    sentry_server: SentryServer, sentry_init: Callable[..., None]
) -> None:
    """A transaction and its child span are stored as a trace the trace API reads."""
    sentry_init(sentry_server.dsn, traces_sample_rate=1.0, server_name="cart-host")
    with (
        sentry_sdk.start_transaction(op="http.server", name="GET /cart") as transaction,
        sentry_sdk.start_span(op="db.query", name="SELECT cart"),
    ):
        pass
    trace_id = transaction.trace_id
    close_sdk()
    sentry_server.server.flush()

    trace = _get(sentry_server, f"/api/v1/traces/{trace_id}")
    names = sorted(span["name"] for span in trace["spans"])
    assert names == ["GET /cart", "SELECT cart"]
    assert {span["service"] for span in trace["spans"]} == {"cart-host"}


def test_sdk_session_becomes_session_counts(
    sentry_server: SentryServer, sentry_init: Callable[..., None]
) -> None:
    """A release-health session with an error is counted as started and errored."""
    sentry_init(sentry_server.dsn, release="shop@2", environment="prod")
    scope = sentry_sdk.get_isolation_scope()
    scope.start_session(session_mode="application")
    try:
        _level_one()
    except RuntimeError:
        sentry_sdk.capture_exception()
    scope.end_session()
    close_sdk()
    sentry_server.server.flush()

    store = sentry_server.server.runtime.store
    rows = store.select(
        "SELECT Attributes['status'] AS status, Attributes['release'] AS release, Value"
        f" FROM {store.table('otel_metrics_sum')} WHERE MetricName = 'sentry.sessions'"
        " ORDER BY status"
    )
    assert [(r["status"], r["release"], r["Value"]) for r in rows] == [
        ("errored", "shop@2", 1.0),
        ("started", "shop@2", 1.0),
    ]


def test_envelope_keeps_good_items_and_counts_the_rest(sentry_server: SentryServer) -> None:
    """Events and sessions are stored; unknown, ignored and malformed items are only counted."""
    broken = b'{"event_id": "x", '
    body = _envelope(
        ({"type": "event"}, _event(tags={"service": "api"})),
        ({"type": "event", "length": len(broken)}, broken),
        ({"type": "session"}, orjson.dumps({"sid": "s1", "init": True, "status": "crashed",
                                            "started": 1_700_000_000, "attrs": {"release": "1"}})),
        ({"type": "client_report"}, b'{"discarded_events": []}'),
        ({"type": "attachment", "length": 3}, b"abc"),
        ({"type": "brand_new_thing"}, b"{}"),
    )  # fmt: skip
    response = httpx.post(
        sentry_server.server.url + "/api/1/envelope/",
        content=body,
        headers={"X-Sentry-Auth": f"Sentry sentry_key={sentry_server.sentry_key}, sentry_client=x"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"id": EVENT_ID}
    sentry_server.server.flush()

    events = _get(sentry_server, "/api/v1/errors/events", start="2026-11-23T00:00:00Z")["events"]
    assert [(e["event_id"], e["service"]) for e in events] == [(EVENT_ID, "api")]
    _, dropped = sentry_server.server.runtime.counters.snapshot()
    assert dropped[("errors", "event_malformed")] == 1
    assert dropped[("errors", "client_report_ignored")] == 1
    assert dropped[("errors", "attachment_ignored")] == 1
    assert dropped[("errors", "unknown_ignored")] == 1
    store = sentry_server.server.runtime.store
    sessions = store.select(
        f"SELECT Attributes['status'] AS status, Value FROM {store.table('otel_metrics_sum')}"
        " WHERE MetricName = 'sentry.sessions' ORDER BY status"
    )
    assert [(r["status"], r["Value"]) for r in sessions] == [("crashed", 1.0), ("started", 1.0)]
    assert _serving(sentry_server.server)


def test_keys_are_checked_against_the_project(sentry_server: SentryServer) -> None:
    """A missing key, a wrong key, or a key of another project is refused with 401."""
    url = sentry_server.server.url
    body = _envelope(({"type": "event"}, _event()))
    for path, headers in [
        ("/api/1/envelope/", {}),
        ("/api/1/envelope/", {"X-Sentry-Auth": "Sentry sentry_key=0000, sentry_version=7"}),
        ("/api/2/envelope/", {"X-Sentry-Auth": f"Sentry sentry_key={sentry_server.sentry_key}"}),
    ]:
        response = httpx.post(url + path, content=body, headers=headers)
        assert response.status_code == 401, (path, headers)
        error = response.json()["error"]
        assert error["code"] == "unauthorized"
        assert error["hint"]
    by_query = httpx.post(
        url + f"/api/1/store/?sentry_key={sentry_server.sentry_key}", content=_event()
    )
    assert by_query.status_code == 200
    dsn_header = {"event_id": EVENT_ID, "dsn": sentry_server.dsn}
    with_dsn = _envelope(({"type": "event"}, _event()), header=dsn_header)
    by_dsn = httpx.post(url + "/api/1/envelope/", content=with_dsn)
    assert by_dsn.status_code == 200
    assert _serving(sentry_server.server)


def test_without_keys_the_endpoints_are_open(server: RunningServer) -> None:
    """With no key at all (loopback only), Sentry ingest is open like the rest of nightcall."""
    response = httpx.post(server.url + "/api/7/store/", content=_event())
    assert response.status_code == 200
    server.flush()
    store = server.runtime.store
    table = store.table("nightcall_error_events")
    stored = store.select(f"SELECT ProjectId, ServiceName FROM {table}")
    assert stored == [{"ProjectId": "7", "ServiceName": "sentry-project-7"}]


def test_garbage_is_refused_with_a_reason(server: RunningServer) -> None:
    """A body that is not an envelope gets 400 naming the problem; the server goes on."""
    for path, body in [
        ("/api/1/envelope/", b"\x00\x01not an envelope"),
        ("/api/1/envelope/", b""),
        ("/api/1/store/", b"[1, 2]"),
    ]:
        response = httpx.post(server.url + path, content=body)
        assert response.status_code == 400, (path, body)
        assert response.json()["error"]["code"] == "decode_error"
        assert response.json()["error"]["message"]
    assert _serving(server)


def test_oversized_body_is_refused(make_server: Callable[..., RunningServer]) -> None:
    """A body over max_body_bytes, raw or after decompression, gets 413."""
    server = make_server(max_body_bytes=4096)
    big = _envelope(({"type": "event"}, _event(extra={"blob": "x" * 10_000})))
    raw = httpx.post(server.url + "/api/1/envelope/", content=big)
    assert raw.status_code == 413
    assert raw.json()["error"]["code"] == "payload_too_large"
    bomb = httpx.post(
        server.url + "/api/1/envelope/",
        content=gzip.compress(big),
        headers={"Content-Encoding": "gzip"},
    )
    assert bomb.status_code == 413
    assert _serving(server)


def test_gzip_and_deflate_bodies(server: RunningServer) -> None:
    """Compressed envelopes and store bodies decode like plain ones."""
    envelope = _envelope(({"type": "event"}, _event()))
    gzipped = httpx.post(
        server.url + "/api/1/envelope/",
        content=gzip.compress(envelope),
        headers={"Content-Encoding": "gzip"},
    )
    deflated = httpx.post(
        server.url + "/api/1/store/",
        content=zlib.compress(_event(event_id="f" * 32)),
        headers={"Content-Encoding": "deflate"},
    )
    assert (gzipped.status_code, deflated.status_code) == (200, 200)
    server.flush()
    store = server.runtime.store
    rows = store.select(f"SELECT EventId FROM {store.table('nightcall_error_events')} ORDER BY 1")
    assert [r["EventId"] for r in rows] == [EVENT_ID, "f" * 32]


def test_revoked_sentry_key_is_refused(
    keyring: KeyRing, make_server: Callable[..., RunningServer]
) -> None:
    """A sentry key revoked while the server runs is refused on the next envelope."""
    record, secret = keyring.create(KeyKind.SENTRY, project="1")
    keyring.create(KeyKind.API)
    server = make_server()
    url = server.url + f"/api/1/store/?sentry_key={secret}"
    assert httpx.post(url, content=_event()).status_code == 200
    keyring.revoke(record.id)
    assert httpx.post(url, content=_event()).status_code == 401
