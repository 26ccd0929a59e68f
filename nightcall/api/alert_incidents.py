"""The wire between alerts and incidents: an alert with `open_incident` opens (or joins) one.

`nightcall.alerts` may not import `nightcall.incidents` (both sit on the same layer), so the
API layer, which builds both, hands the alert engine this callable.
"""

from __future__ import annotations

from nightcall.alerts.records import AlertEvent, OpenIncident
from nightcall.incidents import IncidentService
from nightcall.incidents.from_alert import open_incident_from_alert


def incident_opener(incidents: IncidentService) -> OpenIncident:
    """A callable for the alert engine: the id of the incident the firing alert opened."""

    def open_incident(event: AlertEvent) -> str | None:
        alert = event.alert
        incident = open_incident_from_alert(
            incidents,
            rule=alert.rule,
            severity=str(alert.severity),
            fired_ns=alert.fired_ns or event.time_ns,
            group_key=alert.group_key,
            summary=alert.summary,
            labels=dict(alert.labels),
            runbook_url=alert.runbook_url,
            value=alert.value,
            service=alert.label("service") or None,
        )
        return incident.id

    return open_incident
