"""Silences: matchers (=, !=, =~, !~) with an expiry, read from the API's JSON."""

from __future__ import annotations

import pytest

from nightcall.alerts import Matcher, Silence, is_silenced, parse_silence, silence_json
from nightcall.errors import BadRequest

NOW = 1_800_000_000 * 10**9
S = 10**9
LABELS = {"alertname": "checkout-errors", "service": "checkout", "severity": "P2"}


@pytest.mark.parametrize(
    ("matcher", "expected"),
    [
        (Matcher(label="service", value="checkout"), True),
        (Matcher(label="service", value="cart"), False),
        (Matcher(label="service", value="cart", op="!="), True),
        (Matcher(label="alertname", value="checkout-.*", op="=~"), True),
        (Matcher(label="alertname", value="checkout", op="=~"), False),  # the whole value
        (Matcher(label="severity", value="P[01]", op="!~"), True),
        (Matcher(label="team", value=""), True),  # a missing label is ""
    ],
)
def test_matchers_compare_labels_as_alertmanager_does(matcher: Matcher, expected: bool) -> None:
    """Each operator decides on the label's value; regular expressions match it whole."""
    assert matcher.matches(LABELS) is expected


def test_a_silence_covers_matching_alerts_only_until_it_expires() -> None:
    """All matchers must hold, and only between the start and the end."""
    silence = parse_silence(
        {"matchers": {"service": "checkout"}, "duration_s": 600, "comment": "deploy"},
        silence_id="ab12",
        now_ns=NOW,
    )
    assert silence == Silence(
        silence_id="ab12",
        starts_ns=NOW,
        ends_ns=NOW + 600 * S,
        matchers=(Matcher(label="service", value="checkout"),),
        comment="deploy",
    )
    assert is_silenced(LABELS, [silence], NOW + 599 * S)
    assert not is_silenced(LABELS, [silence], NOW + 600 * S)
    assert not is_silenced({**LABELS, "service": "cart"}, [silence], NOW)
    shown = silence_json(silence, NOW)
    assert shown["matchers"] == [{"label": "service", "op": "=", "value": "checkout"}]
    assert shown["ends_at"] == "2027-01-15T08:10:00.000000000Z"
    assert shown["is_active"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"duration_s": 60}, "at least one matcher"),
        ({"matchers": {"service": "x"}}, "ends_at or a positive duration_s"),
        ({"matchers": {"service": "x"}, "duration_s": -5}, "ends_at or a positive duration_s"),
        ({"matchers": [{"label": "a", "op": "~", "value": "b"}], "duration_s": 9}, "op '~'"),
        (
            {"matchers": [{"label": "a", "op": "=~", "value": "("}], "duration_s": 9},
            "not a regular expression",
        ),
        ({"matchers": {"a": "b"}, "ends_at": "2020-01-01T00:00:00Z"}, "not after its start"),
        ({"matchers": {"a": "b"}, "duration_s": 9, "until": "x"}, "unknown key(s) 'until'"),
    ],
)
def test_bad_silences_are_refused_naming_the_field(body: dict[str, object], message: str) -> None:
    """Each mistake names the value and hints at the shape."""
    with pytest.raises(BadRequest) as caught:
        parse_silence(body, silence_id="x", now_ns=NOW)
    assert message in caught.value.message
    assert caught.value.hint is not None
