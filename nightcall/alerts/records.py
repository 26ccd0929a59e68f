"""The records alerting passes around: observations, alerts, their events, delivery results.

rule + series ──observe──> Observation (one group, breaching or not)
Observations ──advance──> Alert (pending → firing → resolved) and its AlertEvents
AlertEvent ──Notifier.send──> DeliveryResult (one attempt, recorded)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeAlias

from nightcall.config.alerts import Labels, Severity
from nightcall.model import format_time_ns


class AlertState(StrEnum):
    """Where an alert is in its life."""

    PENDING = "pending"  # breaching, for less than the rule's for_s
    FIRING = "firing"  # breaching for for_s or longer: notified
    RESOLVED = "resolved"  # no longer breaching (or no longer any data)


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """What one rule saw for one group in one evaluation."""

    group_labels: Labels
    value: float
    is_breaching: bool
    summary: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Alert:
    """One rule's alert for one group: its labels, state, latest value, and times.

    `labels` holds the group's labels, the rule's own labels, `alertname` and `severity`:
    silences match them. `group_key` identifies the alert; `dedup_key` the notification it
    shares with others (one notification per dedup key while any of them fires).
    """

    rule: str
    group_key: str
    dedup_key: str
    labels: Labels
    severity: Severity
    state: AlertState
    value: float
    summary: str
    runbook_url: str
    active_since_ns: int
    fired_ns: int | None = None
    resolved_ns: int | None = None
    incident_id: str | None = None

    def label(self, key: str) -> str:
        """The value of label `key`, or "" when the alert lacks it."""
        return next((v for k, v in self.labels if k == key), "")


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertEvent:
    """One alert at one moment: a transition to record, a notification to deliver.

    `is_repeat` marks a reminder for an alert still firing (the rule's renotify_s passed).
    """

    time_ns: int
    alert: Alert
    silenced: bool = False
    is_repeat: bool = False

    @property
    def state(self) -> AlertState:
        return self.alert.state


# An alert with `open_incident = true` that starts firing calls this; it answers the id of the
# incident it opened (or None). The API layer wires it to the incidents package.
OpenIncident: TypeAlias = Callable[[AlertEvent], str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryResult:
    """What one delivery attempt got: the receiver's status, or the error, and how long."""

    is_ok: bool
    status_code: int | None = None
    error: str = ""
    duration_ns: int = 0
    is_retryable: bool = True


def _time(ns: int | None) -> str | None:
    return format_time_ns(ns) if ns is not None else None


def alert_json(alert: Alert) -> dict[str, Any]:
    """An alert as the API and the webhook payload show it (flat, snake_case)."""
    return {
        "rule": alert.rule,
        "state": alert.state.value,
        "severity": alert.severity.value,
        "summary": alert.summary,
        "value": alert.value if math.isfinite(alert.value) else None,
        "labels": dict(alert.labels),
        "group_key": alert.group_key,
        "dedup_key": alert.dedup_key,
        "runbook_url": alert.runbook_url or None,
        "active_since": format_time_ns(alert.active_since_ns),
        "active_since_unix_nano": alert.active_since_ns,
        "fired_at": _time(alert.fired_ns),
        "fired_unix_nano": alert.fired_ns,
        "resolved_at": _time(alert.resolved_ns),
        "resolved_unix_nano": alert.resolved_ns,
        "incident_id": alert.incident_id,
    }


def event_json(event: AlertEvent) -> dict[str, Any]:
    """An event: the alert as it was, when, and whether it was silenced or a reminder."""
    return {
        "time": format_time_ns(event.time_ns),
        "time_unix_nano": event.time_ns,
        **alert_json(event.alert),
        "silenced": event.silenced,
        "is_repeat": event.is_repeat,
    }
