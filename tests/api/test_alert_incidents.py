"""An alert that fires with `open_incident` opens an incident, and its repeats join it."""

from __future__ import annotations

from nightcall.alerts.records import Alert, AlertEvent, AlertState
from nightcall.api.alert_incidents import incident_opener
from nightcall.api.app import Runtime
from nightcall.config.alerts import Severity
from nightcall.incidents import IncidentService

NOW_NS = 1_790_000_000 * 10**9


def _event(group: str) -> AlertEvent:
    alert = Alert(
        rule="checkout-errors",
        group_key=group,
        dedup_key=group,
        labels=(("alertname", "checkout-errors"), ("service", "checkout")),
        severity=Severity.P1,
        state=AlertState.FIRING,
        value=0.3,
        summary="error_rate of checkout is 30% (threshold 5%)",
        runbook_url="https://runbooks.example/checkout",
        active_since_ns=NOW_NS - 120 * 10**9,
        fired_ns=NOW_NS,
    )
    return AlertEvent(time_ns=NOW_NS, alert=alert)


def test_a_firing_alert_opens_one_incident_per_group(runtime: Runtime) -> None:
    """The first firing opens an incident; the same group firing again joins that incident."""
    incidents = IncidentService(runtime.store, runtime.pipeline, lambda: NOW_NS)
    open_incident = incident_opener(incidents)
    first = open_incident(_event("checkout-errors/checkout"))
    again = open_incident(_event("checkout-errors/checkout"))
    other = open_incident(_event("checkout-errors/payment"))
    assert first is not None
    assert again == first
    assert other not in (None, first)
    assert len(incidents.list_incidents()) == 2
