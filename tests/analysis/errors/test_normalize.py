"""Normalization: message values become placeholders; generated names lose their counters."""

from __future__ import annotations

import pytest

from nightcall.analysis.errors import (
    Frame,
    Platform,
    frame_key,
    normalize_function,
    normalize_message,
)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Order 8812 not found", "Order <num> not found"),
        ("user 123e4567-e89b-12d3-a456-426614174000 missing", "user <uuid> missing"),
        ("connect ECONNREFUSED 10.0.0.12:6379", "connect ECONNREFUSED <ip>"),
        ("instance 0x600000a1c0 freed", "instance <hex> freed"),
        ("KeyError 'coupon'", "KeyError <str>"),
        ('no such file "/var/lib/shop/db.sqlite"', "no such file <str>"),
        ("cannot open /var/lib/shop/db.sqlite", "cannot open <path>"),
        ("charge ch_3k9x2mq failed", "charge <id> failed"),
        ("charge ch_CxknqFbtrBwdAz failed", "charge <id> failed"),
        ("too many max_connections", "too many max_connections"),
        ("mail to bob@example.com bounced", "mail to <email> bounced"),
    ],
)
def test_message_values_become_placeholders(message: str, expected: str) -> None:
    """Each kind of value in a message is replaced by its placeholder."""
    assert normalize_message(message) == expected


@pytest.mark.parametrize(
    ("function", "platform", "expected"),
    [
        ("lambda$process$3", Platform.JAVA, "lambda$process"),
        ("handle.func2", Platform.GO, "handle.func"),
        ("(*Server).handle", Platform.GO, "Server.handle"),
        ("<Main>b__0_1", Platform.DOTNET, "<Main>b__"),
        ("async Task<IActionResult> OrdersController.Post(int id)", Platform.DOTNET, "Post"),
        ("closure #2 in View.body.getter", Platform.COCOA, "closure in View.body.getter"),
        ("async Router.handle", Platform.JAVASCRIPT, "Router.handle"),
        ("?", Platform.JAVASCRIPT, "<anonymous>"),
    ],
)
def test_generated_names_lose_counters(function: str, platform: Platform, expected: str) -> None:
    """Compiler-made counters and keywords are removed from function names."""
    assert normalize_function(function, platform) == expected


def test_frame_key_ignores_line_and_root() -> None:
    """Frames of the same function under another root or line share a key."""
    first = Frame(
        function="checkout", filename="/app/shop/views.py", lineno=3, platform=Platform.PYTHON
    )
    second = Frame(function="checkout", filename="shop/views.py", module="shop.views", lineno=9,
                   platform=Platform.PYTHON)  # fmt: skip
    assert frame_key(first) == frame_key(second) == "views:checkout"
