"""Error groups and release health over HTTP, from events the real sentry-sdk sent."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import sentry_sdk
from sentry_sdk.utils import event_from_exception

from tests.conftest import RunningServer

DAY_S = 86_400


def _divide(n: int) -> float:
    return 1 / n


def _lookup(cart: dict[str, int], sku: str) -> int:
    return cart[sku]


def _pay(kind: type[Exception]) -> None:
    raise kind("gateway said no")


@pytest.fixture
def sdk(server: RunningServer) -> Iterator[Callable[..., None]]:
    """Starts sentry-sdk on the test server (again for each release); closed after the test."""

    def init(release: str, *, shift_s: float = 0.0) -> None:
        close()

        def shifted(event: Any, _hint: Any) -> Any:
            event["timestamp"] = time.time() + shift_s  # back-dates the event, as a replay
            return event

        sentry_sdk.init(dsn=f"http://public@127.0.0.1:{server.port}/1", release=release,
                        environment="prod", default_integrations=False,
                        before_send=shifted)  # fmt: skip
        sentry_sdk.set_tag("service", "shop")

    def close() -> None:
        sentry_sdk.flush(timeout=10)
        sentry_sdk.get_client().close()
        sentry_sdk.get_isolation_scope().clear()
        sentry_sdk.get_current_scope().clear()

    yield init
    close()
    sentry_sdk.get_global_scope().set_client(None)


def _capture(call: Callable[[], object], *, user: str | None = None,
             fingerprint: list[str] | None = None) -> None:  # fmt: skip
    with sentry_sdk.new_scope() as scope:
        if user:
            scope.set_user({"id": user})
        if fingerprint:
            scope.fingerprint = fingerprint
        try:
            call()
        except Exception:
            sentry_sdk.capture_exception()


def _get(server: RunningServer, path: str, **params: Any) -> Any:
    response = httpx.get(server.url + path, params=params, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def _load(server: RunningServer, sdk: Callable[..., None]) -> None:
    """shop@1 divided by zero three days ago; shop@2 does it again, and brings a KeyError."""
    sdk("shop@1", shift_s=-3 * DAY_S)
    _capture(lambda: _divide(0))
    sdk("shop@2")
    _capture(lambda: _divide(0))
    _capture(lambda: _divide(0))
    for number, user in enumerate(("ann", "bob", "ann")):
        sentry_sdk.get_isolation_scope().clear_breadcrumbs()
        sentry_sdk.add_breadcrumb(category="ui.click", message=f"add item {number}")
        sentry_sdk.add_breadcrumb(category="ui.click", message="checkout")
        _capture(lambda: _lookup({}, "sku-1"), user=user)
    _capture(lambda: _pay(TimeoutError), fingerprint=["payment-gateway"])
    _capture(lambda: _pay(ConnectionError), fingerprint=["payment-gateway"])
    sentry_sdk.flush(timeout=10)
    server.flush()


def test_groups_with_flags_culprit_trail_and_impact(
    server: RunningServer, sdk: Callable[..., None]
) -> None:
    """The hour's groups: the division came back after days, the KeyError is new in shop@2."""
    _load(server, sdk)
    answer = _get(server, "/api/v1/errors", start="-1h")
    assert (answer["next"], answer["events_total"], answer["truncated"]) == (None, 7, False)
    groups = {g["exception_type"]: g for g in answer["errors"]}
    assert [g["count"] for g in answer["errors"]] == [3, 2, 2]

    key_error = groups["KeyError"]
    assert key_error["title"] == "KeyError: <str>"
    assert key_error["culprit"]["function"] == "_lookup"
    assert key_error["culprit"]["filename"].endswith("test_routes_error_groups.py")
    assert (key_error["is_new"], key_error["regression_reason"]) == (True, "new_in_release")
    assert key_error["users"] == 2
    assert key_error["impact"]["users_seen"] == 2
    assert key_error["impact"]["user_share"] == 1.0
    assert key_error["breadcrumbs"] == {
        "trail": ["ui.click: add item <num>", "ui.click: checkout"],
        "events": 3,
        "share": 1.0,
    }
    assert (key_error["releases"], key_error["environments"], key_error["services"]) == (
        ["shop@2"], ["prod"], ["shop"])  # fmt: skip
    assert sum(key_error["series"]["counts"]) == 3
    assert key_error["series"]["step_s"] == 60

    division = groups["ZeroDivisionError"]
    assert (division["is_new"], division["regression_reason"]) == (False, "returned_after_quiet")
    assert division["quiet_before_s"] == pytest.approx(3 * DAY_S, abs=120)
    assert division["previous_seen_unix_nano"] < division["first_seen_unix_nano"]

    (payment,) = [
        g for g in answer["errors"] if g["exception_type"] in ("TimeoutError", "ConnectionError")
    ]
    assert payment["count"] == 2  # the events' own fingerprint put both types in one group

    newest = _get(server, "/api/v1/errors", start="-1h", sort="first_seen", limit=1)["errors"]
    assert [g["exception_type"] for g in newest] == [payment["exception_type"]]


def test_one_group_with_samples_and_tags(server: RunningServer, sdk: Callable[..., None]) -> None:
    """A group's page lists its latest events, tag values and fingerprint components."""
    _load(server, sdk)
    groups = _get(server, "/api/v1/errors", start="-1h")["errors"]
    key_error = next(g for g in groups if g["exception_type"] == "KeyError")
    group = _get(server, f"/api/v1/errors/{key_error['fingerprint']}", start="-1h")
    assert group["count"] == 3
    assert len(group["sample_event_ids"]) == 3
    events = _get(server, "/api/v1/errors/events", start="-1h", q="KeyError")["events"]
    assert group["sample_event_ids"] == [e["event_id"] for e in events]
    assert group["tags"]["release"] == [{"value": "shop@2", "count": 3}]
    assert group["tags"]["service"] == [{"value": "shop", "count": 3}]
    assert group["fingerprint_method"] == "in_app_frames"
    assert "type:KeyError" in group["fingerprint_components"]
    one = _get(server, f"/api/v1/errors/events/{events[0]['event_id']}")
    assert one["exception_type"] == "KeyError"


def test_unknown_fingerprint_and_bad_parameters(app_client: Any) -> None:
    """An absent group is a located 404; a fingerprint that is not hex or a bad sort is a 400."""
    missing = app_client.get("/api/v1/errors/" + "0" * 32)
    assert missing.status_code == 404
    assert missing.json()["error"]["location"] == "fingerprint"
    assert "nightcall errors" in missing.json()["error"]["hint"]
    assert app_client.get("/api/v1/errors/nothex").status_code == 400
    assert app_client.get("/api/v1/errors?sort=loudest").json()["error"]["location"] == (
        "query.sort"
    )
    assert app_client.get("/api/v1/errors/events").json() == {"events": [], "next": None}
    assert app_client.get("/api/v1/errors").json()["errors"] == []


def test_releases_with_crash_free_rate(server: RunningServer, sdk: Callable[..., None]) -> None:
    """Each release lists its events, groups and new groups; shop@2's sessions give its rate."""
    _load(server, sdk)
    scope = sentry_sdk.get_isolation_scope()
    for crash in (False, True, False, False):
        scope.start_session(session_mode="application")
        if crash:
            try:
                _divide(0)
            except ZeroDivisionError:
                event, hint = event_from_exception(
                    sys.exc_info(), mechanism={"type": "test", "handled": False}
                )
                sentry_sdk.capture_event(event, hint=hint)
        scope.end_session()
    sentry_sdk.flush(timeout=10)
    server.flush()
    answer = _get(server, "/api/v1/errors/releases", start="-1h")
    (release,) = answer["releases"]
    assert (release["service"], release["release"]) == ("shop", "shop@2")
    # the crash is raised from another call path, so it is a fourth group, new like two others
    assert (release["events"], release["groups"], release["new_groups"]) == (8, 4, 3)
    assert release["sessions"]["started"] == 4
    assert release["sessions"]["crashed"] == 1
    assert release["crash_free_rate"] == 0.75
    whole = _get(server, "/api/v1/errors/releases", start="-4d", service="shop")["releases"]
    assert [(r["release"], r["events"]) for r in whole] == [("shop@2", 8), ("shop@1", 1)]
    assert _get(server, "/api/v1/errors/releases", start="-1h", service="nope")["releases"] == []
