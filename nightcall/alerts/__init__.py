"""Alerting: rules over series and hypotheses, alerts and their states, silences, delivery."""

from nightcall.alerts.catalog import AlertCatalog, CatalogRule
from nightcall.alerts.delivery import DeliveryAttempt, Dispatcher, RecordAttempt
from nightcall.alerts.engine import AlertEngine, build_alert_engine, record_attempts
from nightcall.alerts.lifecycle import Step, advance
from nightcall.alerts.notifiers import FileNotifier, Notifier, WebhookNotifier, notifier_for
from nightcall.alerts.observe import (
    observe,
    observe_anomalies,
    observe_hypotheses,
    observe_threshold,
)
from nightcall.alerts.payloads import json_payload, render_payload, slack_payload
from nightcall.alerts.records import (
    Alert,
    AlertEvent,
    AlertState,
    DeliveryResult,
    Observation,
    OpenIncident,
    alert_json,
    event_json,
)
from nightcall.alerts.silences import Matcher, Silence, is_silenced, parse_silence, silence_json
from nightcall.alerts.storage import recent_deliveries, recent_events

__all__ = [
    "Alert",
    "AlertCatalog",
    "AlertEngine",
    "AlertEvent",
    "AlertState",
    "CatalogRule",
    "DeliveryAttempt",
    "DeliveryResult",
    "Dispatcher",
    "FileNotifier",
    "Matcher",
    "Notifier",
    "Observation",
    "OpenIncident",
    "RecordAttempt",
    "Silence",
    "Step",
    "WebhookNotifier",
    "advance",
    "alert_json",
    "build_alert_engine",
    "event_json",
    "is_silenced",
    "json_payload",
    "notifier_for",
    "observe",
    "observe_anomalies",
    "observe_hypotheses",
    "observe_threshold",
    "parse_silence",
    "recent_deliveries",
    "recent_events",
    "record_attempts",
    "render_payload",
    "silence_json",
    "slack_payload",
]
