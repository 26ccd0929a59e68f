"""Error group and release tables, checked against golden files (refresh with --update-golden)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console, RenderableType

from nightcall.cli.render_error_groups import (
    error_group_view,
    error_groups_table,
    flags_text,
    releases_table,
    sparkline,
)

GROUP: dict[str, Any] = {
    "fingerprint": "0123456789abcdef0123456789abcdef", "title": "KeyError: <str>",
    "exception_type": "KeyError", "message": "<str>", "level": "error",
    "culprit": {"function": "add_item", "module": "shop.cart", "filename": "shop/cart.py",
                "lineno": 42, "in_app": True, "text": "add_item (shop/cart.py:42)"},
    "count": 120, "users": 31, "devices": 2,
    "top_devices": [{"device": "Pixel 8 / Android 14", "count": 100}],
    "first_seen": "2026-11-23T07:02:00.000000000Z", "last_seen": "2026-11-23T07:58:10.000000000Z",
    "releases": ["shop@2.0", "shop@2.1"], "first_release": "shop@2.0",
    "environments": ["prod"], "services": ["cart"],
    "is_new": True, "is_regression": True, "regression_reason": "new_in_release",
    "quiet_before_s": None,
    "series": {"start_unix_nano": 0, "step_s": 60.0, "counts": [0, 1, 2, 4, 8, 16, 0, 3]},
    "breadcrumbs": {"trail": ["ui.click: cart", "http: POST /api/cart/<id> 500"], "events": 90,
                    "share": 0.75},
    "impact": {"users": 31, "users_seen": 400, "user_share": 0.0775, "devices": 2,
               "devices_seen": 9, "device_share": 0.2222},
    "sample_event_ids": ["f" * 32, "e" * 32],
    "tags": {"release": [{"value": "shop@2.1", "count": 70}, {"value": "shop@2.0", "count": 50}],
             "region": [{"value": "eu", "count": 120}]},
}  # fmt: skip
RETURNED = {**GROUP, "fingerprint": "f" * 32, "title": "ZeroDivisionError: division by zero",
            "count": 3, "users": 0, "is_new": False, "regression_reason": "returned_after_quiet",
            "quiet_before_s": 3 * 86_400.0, "releases": []}  # fmt: skip


def _text(renderable: RenderableType) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=120, color_system=None, force_terminal=False).print(renderable)
    return buffer.getvalue()


def test_error_groups_table(golden: Callable[[str, str], None]) -> None:
    """One line per group: fingerprint, title, events, users, first and last seen, flags."""
    answer = {"errors": [GROUP, RETURNED], "truncated": True, "events_analysed": 10_000,
              "events_total": 12_345}  # fmt: skip
    golden("cli/error_groups_table.txt", _text(error_groups_table(answer)))


def test_error_group_view(golden: Callable[[str, str], None]) -> None:
    """`errors show` prints culprit, reach, a trend, the breadcrumb trail, tags and samples."""
    golden("cli/error_group.txt", _text(error_group_view(GROUP)))


def test_releases_table(golden: Callable[[str, str], None]) -> None:
    """One line per release: its events, groups, new groups, users, sessions and crash-free."""
    answer = {"releases": [
        {"service": "cart", "release": "shop@2.1", "first_seen": "2026-11-23T06:00:00.0Z",
         "events": 70, "groups": 3, "new_groups": 1, "users": 20,
         "sessions": {"started": 400, "crashed": 6, "errored": 20, "abnormal": 0},
         "crash_free_rate": 0.985},
        {"service": None, "release": "ios@7", "first_seen": None, "events": 0, "groups": 0,
         "new_groups": 0, "users": 0, "sessions": None, "crash_free_rate": None},
    ]}  # fmt: skip
    golden("cli/error_releases_table.txt", _text(releases_table(answer)))


def test_flags_and_sparkline() -> None:
    """Flags read new, new in a release, or regressed after a quiet time; bars scale to the top."""
    assert flags_text(GROUP) == "new in shop@2.0"
    assert flags_text(RETURNED) == "regressed (3d quiet)"
    assert flags_text({**GROUP, "regression_reason": None}) == "new"
    assert flags_text({**GROUP, "regression_reason": None, "is_new": False}) == "-"
    assert sparkline([0, 1, 4, 8]) == " ▁▄█"
    assert sparkline([1] * 60, width=30) == "█" * 30
    assert sparkline([0, 0]) == "  "
    assert sparkline([]) == ""
