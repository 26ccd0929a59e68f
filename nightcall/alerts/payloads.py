"""The bodies a notification is sent as: nightcall's JSON, and Slack's `text` + `blocks`.

Both carry the runbook link, as the seeds' `sendAlert(..., runbook:)` does. The JSON payload
is the alert event flat and snake_case (the API's own shape) with `source` and `title`; the
Slack one is what an incoming webhook (or a Slack-compatible one: Mattermost, Rocket.Chat)
accepts, within Slack's size limits.
"""

from __future__ import annotations

from typing import Any

from nightcall.alerts.records import AlertEvent, AlertState, event_json
from nightcall.config.alert_receivers import PayloadFormat
from nightcall.model import format_time_ns

PAYLOAD_VERSION = 1
_HEADER_CHARS = 150  # Slack's limit for a header block
_TEXT_CHARS = 3000  # ... for a section's text
_FIELD_CHARS = 2000  # ... for one field
_MAX_FIELDS = 10  # ... fields in one section
_EMOJI = {
    AlertState.FIRING: ":rotating_light:",
    AlertState.RESOLVED: ":white_check_mark:",
    AlertState.PENDING: ":hourglass:",
}


def title(event: AlertEvent) -> str:
    """One line: `[P2] checkout-errors firing: <summary>`."""
    alert = event.alert
    state = "still firing" if event.is_repeat else alert.state.value
    return f"[{alert.severity.value}] {alert.rule} {state}: {alert.summary}"


def json_payload(event: AlertEvent) -> dict[str, Any]:
    """nightcall's webhook body: the event, with `source`, `version`, `status` and `title`."""
    return {
        "source": "nightcall",
        "version": PAYLOAD_VERSION,
        "status": event.state.value,
        "title": title(event),
        **event_json(event),
    }


def _escape(text: str) -> str:
    """Slack mrkdwn reads &, < and > as markup: escape them as its docs ask."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_payload(event: AlertEvent) -> dict[str, Any]:
    """A Slack incoming-webhook body: `text` (the fallback and notification) and `blocks`."""
    alert = event.alert
    emoji = _EMOJI[alert.state]
    runbook = f" <{alert.runbook_url}|Runbook>" if alert.runbook_url else ""
    text = _cut(f"{emoji} {_escape(title(event))}{runbook}", _TEXT_CHARS)
    since = alert.fired_ns if alert.fired_ns is not None else alert.active_since_ns
    fields = [
        f"*Severity*\n{alert.severity.value}",
        f"*State*\n{alert.state.value}" + (" (reminder)" if event.is_repeat else ""),
        f"*Value*\n{alert.value:.4g}",
        f"*Since*\n{format_time_ns(since)}",
    ]
    if alert.incident_id:
        fields.append(f"*Incident*\n{_escape(alert.incident_id)}")
    shown = [(k, v) for k, v in alert.labels if k not in ("alertname", "severity")]
    fields += [f"*{_escape(k)}*\n{_escape(v)}" for k, v in shown]
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "emoji": True,
                "text": _cut(
                    f"{emoji} [{alert.severity.value}] {alert.rule}: {alert.state.value}",
                    _HEADER_CHARS,
                ),
            },
        },
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": _cut(_escape(alert.summary) or alert.rule, _TEXT_CHARS),
            },
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _cut(f, _FIELD_CHARS)} for f in fields[:_MAX_FIELDS]
            ],
        },
    ]
    if alert.runbook_url:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Runbook"},
                        "url": alert.runbook_url,
                    }
                ],
            }
        )
    context = f"nightcall · {_escape(alert.dedup_key)}"
    blocks.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(context, _FIELD_CHARS)}]}
    )
    return {"text": text, "blocks": blocks}


def render_payload(event: AlertEvent, payload_format: PayloadFormat) -> dict[str, Any]:
    """The body for a receiver of `payload_format`."""
    return slack_payload(event) if payload_format == "slack" else json_payload(event)
