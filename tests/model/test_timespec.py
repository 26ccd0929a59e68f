"""Times in the API and CLI: RFC 3339, Unix seconds or nanoseconds, `now`, and relative forms."""

from __future__ import annotations

import pytest

from nightcall.errors import BadRequest
from nightcall.model import format_time_ns, parse_time_ns

NOW = 1_795_000_000_123_456_789


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("-15m", NOW - 15 * 60 * 10**9),
        ("-1h", NOW - 3600 * 10**9),
        ("-1.5d", NOW - 129_600 * 10**9),
        ("-250ms", NOW - 250_000_000),
        ("1795000000", 1_795_000_000 * 10**9),
        ("1795000000.5", 1_795_000_000_500_000_000),
        ("1795000000123456789", 1_795_000_000_123_456_789),
        ("2026-11-19T08:26:40Z", 1_795_076_800 * 10**9),
        ("2026-11-19T09:26:40+01:00", 1_795_076_800 * 10**9),
        ("2026-11-19T08:26:40.25Z", 1_795_076_800_250_000_000),
        ("2026-11-19T08:26:40", 1_795_076_800 * 10**9),
    ],
)
def test_accepted_forms(text: str, expected: int) -> None:
    """Every documented form reads as the expected Unix nanoseconds."""
    assert parse_time_ns(text, now_ns=NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "-5x", "", "2026-13-01"])
def test_unreadable_time_names_the_input_and_the_forms(text: str) -> None:
    """An unreadable time raises BadRequest naming the input, the parameter and the valid forms."""
    with pytest.raises(BadRequest, match="cannot read") as caught:
        parse_time_ns(text, now_ns=NOW, location="start")
    assert caught.value.location == "start"
    assert caught.value.hint is not None
    assert "RFC 3339" in caught.value.hint


def test_format_keeps_nanoseconds_in_utc() -> None:
    """Formatting prints RFC 3339 in UTC with all nine fractional digits."""
    assert format_time_ns(1_795_076_800_000_000_042) == "2026-11-19T08:26:40.000000042Z"
