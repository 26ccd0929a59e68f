"""The state machine of one rule's alerts, as a pure function of the round's observations.

    (nothing) ──breaching──> PENDING ──breaching for for_s──> FIRING ──not breaching──> RESOLVED
                    └── for_s = 0: straight to FIRING       PENDING ──not breaching──> (dropped)

A group that was not observed this round counts as not breaching (no data resolves). An alert
still breaching keeps its times and takes the new value and summary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nightcall.alerts.identity import alert_labels, dedup_key, group_key
from nightcall.alerts.records import Alert, AlertState, Observation
from nightcall.config.alerts import AlertRule


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One rule's round: the alerts still active (by group key) and the transitions made."""

    active: dict[str, Alert]
    transitions: list[Alert]


def _new_alert(rule: AlertRule, observation: Observation, now_ns: int) -> Alert:
    labels = observation.group_labels
    fires_now = rule.for_s <= 0
    return Alert(
        rule=rule.name,
        group_key=group_key(rule, labels),
        dedup_key=dedup_key(rule, labels),
        labels=alert_labels(rule, labels),
        severity=rule.severity,
        state=AlertState.FIRING if fires_now else AlertState.PENDING,
        value=observation.value,
        summary=observation.summary,
        runbook_url=rule.runbook_url,
        active_since_ns=now_ns,
        fired_ns=now_ns if fires_now else None,
    )


def advance(
    rule: AlertRule,
    active: Mapping[str, Alert],
    observations: Sequence[Observation],
    now_ns: int,
) -> Step:
    """Move `rule`'s active alerts one round forward on `observations` made at `now_ns`."""
    breaching = {group_key(rule, o.group_labels): o for o in observations if o.is_breaching}
    still: dict[str, Alert] = {}
    transitions: list[Alert] = []
    for key, observation in breaching.items():
        current = active.get(key)
        if current is None:
            alert = _new_alert(rule, observation, now_ns)
            transitions.append(alert)
        else:
            alert = dataclasses.replace(
                current, value=observation.value, summary=observation.summary
            )
            due = now_ns - current.active_since_ns >= rule.for_s * 1e9
            if current.state == AlertState.PENDING and due:
                alert = dataclasses.replace(alert, state=AlertState.FIRING, fired_ns=now_ns)
                transitions.append(alert)
        still[key] = alert
    for key, current in active.items():
        if key not in breaching and current.state == AlertState.FIRING:
            resolved = dataclasses.replace(current, state=AlertState.RESOLVED, resolved_ns=now_ns)
            transitions.append(resolved)
    return Step(active=still, transitions=transitions)
