"""Event signatures: the group key, title, culprit and breadcrumb trail read from one event."""

from __future__ import annotations

from typing import Any

from nightcall.analysis.errors import (
    Culprit,
    FingerprintMethod,
    breadcrumb_trail,
    crumb_label,
    event_signature,
    fingerprint_event,
)


def _frame(function: str, module: str, lineno: int, *, app: bool) -> dict[str, Any]:
    return {"function": function, "module": module, "filename": module.replace(".", "/") + ".py",
            "lineno": lineno, "in_app": app}  # fmt: skip


def _event(value: str = "order 8812 not found", **extra: Any) -> dict[str, Any]:
    frames = [
        _frame("handle", "shop.views", 10, app=True),
        _frame("place", "shop.orders", 42, app=True),
        _frame("execute", "psycopg.cursor", 88, app=False),
    ]
    return {
        "platform": "python",
        "exception": {"values": [{"type": "LookupError", "value": value,
                                  "stacktrace": {"frames": frames}}]},
        **extra,
    }  # fmt: skip


def test_title_is_the_type_and_normalized_message() -> None:
    """The title keeps the exception type and replaces the message's values by placeholders."""
    signature = event_signature(_event())
    assert signature.title == "LookupError: order <num> not found"
    assert signature.exception_type == "LookupError"
    assert event_signature({"message": "disk 93% full"}).title == "disk <num>% full"
    assert event_signature({}).title == "(no message)"


def test_culprit_is_the_deepest_in_app_frame() -> None:
    """The culprit skips the library frame the error was raised in and names the app's frame."""
    culprit = event_signature(_event()).culprit
    assert culprit == Culprit(function="place", module="shop.orders", filename="shop/orders.py",
                              lineno=42, is_in_app=True)  # fmt: skip
    assert culprit.text() == "place (shop/orders.py:42)"


def test_culprit_falls_back_to_the_deepest_frame() -> None:
    """Without in-app frames the deepest frame is the culprit; without frames there is none."""
    event = _event()
    for frame in event["exception"]["values"][0]["stacktrace"]["frames"]:
        frame["in_app"] = False
    culprit = event_signature(event).culprit
    assert culprit is not None
    assert (culprit.function, culprit.is_in_app) == ("execute", False)
    bare = {"exception": {"values": [{"type": "KeyError", "value": "'sku'"}]}}
    assert event_signature(bare).culprit is None


def test_values_in_the_message_keep_the_group() -> None:
    """Two orders failing the same way share a fingerprint; another function does not."""
    first = event_signature(_event("order 1 not found"))
    second = event_signature(_event("order 2 not found"))
    assert first.fingerprint == second.fingerprint
    other = _event()
    other["exception"]["values"][0]["stacktrace"]["frames"][1]["function"] = "refund"
    assert event_signature(other).fingerprint != first.fingerprint


def test_the_events_own_fingerprint_overrides_the_default() -> None:
    """An event's `fingerprint` list decides its group, as Sentry does, whatever its stack."""
    one = event_signature(_event(fingerprint=["payment-gateway-down"]))
    other = _event(fingerprint=["payment-gateway-down"])
    other["exception"]["values"][0]["type"] = "TimeoutError"
    two = event_signature(other)
    assert one.fingerprint == two.fingerprint
    assert one.method is FingerprintMethod.CUSTOM
    assert one.components == ("custom:payment-gateway-down",)
    default = event_signature(_event(fingerprint=["{{ default }}"]))
    assert default.components == event_signature(_event()).components
    for event in (_event(), _event(fingerprint=["{{ type }}", "x"]), {"message": "m"}):
        assert event_signature(event).fingerprint == fingerprint_event(event).digest


def test_trail_keeps_the_last_crumbs_normalized() -> None:
    """The trail is the last three crumbs, values masked, the SDK's own crumbs left out."""
    event = _event(breadcrumbs={"values": [
        {"category": "ui.click", "message": "open"},
        {"category": "ui.click", "message": "add item 31"},
        {"category": "http", "type": "http",
         "data": {"method": "POST", "url": "https://shop.test/api/cart/8812/items?x=1",
                  "status_code": 500}},
        {"category": "navigation", "data": {"from": "/cart", "to": "/checkout/5521"}},
        {"category": "sentry.event", "message": "abc"},
    ]})  # fmt: skip
    assert breadcrumb_trail(event) == (
        "ui.click: add item <num>",
        "http: POST /api/cart/<id>/items 500",
        "navigation: /checkout/<id>",
    )
    assert breadcrumb_trail(event, trail_length=1) == ("navigation: /checkout/<id>",)
    assert breadcrumb_trail(_event()) == ()
    assert crumb_label({"type": "default"}) == "default"
