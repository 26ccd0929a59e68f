"""Notification bodies: nightcall's JSON and Slack's `text` + `blocks`, with the runbook."""

from __future__ import annotations

from nightcall.alerts import Alert, AlertEvent, AlertState, json_payload, slack_payload
from nightcall.config.alerts import Severity

NOW = 1_800_000_000 * 10**9


def _event(**changes: object) -> AlertEvent:
    values: dict[str, object] = {
        "rule": "checkout-errors",
        "group_key": 'checkout-errors{service="checkout"}',
        "dedup_key": 'checkout-errors{service="checkout"}',
        "severity": Severity.P2,
        "labels": (
            ("alertname", "checkout-errors"),
            ("service", "checkout"),
            ("severity", "P2"),
            ("team", "<pay>"),
        ),
        "state": AlertState.FIRING,
        "value": 0.12,
        "summary": "error rate 12% > 5%",
        "runbook_url": "https://wiki.example/runbooks/checkout",
        "active_since_ns": NOW,
        "fired_ns": NOW,
        **changes,
    }
    return AlertEvent(time_ns=NOW, alert=Alert(**values))  # type: ignore[arg-type]  # test data


def test_json_payload_is_the_flat_event_with_a_title() -> None:
    """The generic payload carries status, title, labels, times and the runbook link."""
    payload = json_payload(_event())
    assert payload["source"] == "nightcall"
    assert payload["status"] == "firing"
    assert payload["title"] == "[P2] checkout-errors firing: error rate 12% > 5%"
    assert payload["runbook_url"] == "https://wiki.example/runbooks/checkout"
    assert payload["labels"]["service"] == "checkout"
    assert payload["fired_unix_nano"] == NOW
    assert payload["fired_at"] == "2027-01-15T08:00:00.000000000Z"
    assert payload["silenced"] is False


def test_slack_payload_has_text_blocks_and_a_runbook_button() -> None:
    """Slack gets a fallback text with the runbook link, a header, fields, and a button."""
    payload = slack_payload(_event())
    assert set(payload) == {"text", "blocks"}
    assert payload["text"] == (
        ":rotating_light: [P2] checkout-errors firing: error rate 12% &gt; 5%"
        " <https://wiki.example/runbooks/checkout|Runbook>"
    )
    kinds = [block["type"] for block in payload["blocks"]]
    assert kinds == ["header", "section", "section", "actions", "context"]
    header = payload["blocks"][0]["text"]
    assert header == {
        "type": "plain_text",
        "emoji": True,
        "text": ":rotating_light: [P2] checkout-errors: firing",
    }
    fields = [f["text"] for f in payload["blocks"][2]["fields"]]
    assert "*Severity*\nP2" in fields
    assert "*team*\n&lt;pay&gt;" in fields  # mrkdwn escapes <, > and &
    (button,) = payload["blocks"][3]["elements"]
    assert button["url"] == "https://wiki.example/runbooks/checkout"


def test_slack_payload_without_runbook_and_resolved() -> None:
    """A resolved alert without a runbook gets no button and a resolved header."""
    payload = slack_payload(_event(runbook_url="", state=AlertState.RESOLVED, resolved_ns=NOW))
    assert [b["type"] for b in payload["blocks"]] == ["header", "section", "section", "context"]
    assert payload["text"].startswith(":white_check_mark: [P2] checkout-errors resolved")
    assert "Runbook" not in payload["text"]
