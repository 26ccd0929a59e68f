"""Opening an incident from an alert, once per alert group.

`nightcall.alerts` cannot import incidents (both sit on the analysis layers), so the app wires
the two: an alert rule that opens incidents calls `open_incident_from_alert` with plain values,
or a remote alerter posts `{"source": {"kind": "alert", ...}}` to `/api/v1/incidents`. An alert
of a group that already has an open incident is recorded on it (`alert_fired`) instead of
opening another, so a flapping alert makes one incident with its firings in the timeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nightcall.errors import BadRequest
from nightcall.incidents.service import IncidentService
from nightcall.model import Incident, Severity

DEFAULT_LOOKBACK_S = 3600.0  # the data before the firing the diagnosis compares against
# Alert severities as monitoring tools name them, and the incident severity each opens.
ALERT_SEVERITIES: dict[str, Severity] = {
    "critical": Severity.P1,
    "page": Severity.P1,
    "error": Severity.P2,
    "high": Severity.P2,
    "warning": Severity.P3,
    "warn": Severity.P3,
    "info": Severity.P4,
    "low": Severity.P4,
}


def parse_severity(text: str, *, location: str = "severity") -> Severity:
    """P0 to P4 (any case), or an alert severity (critical, warning, ...) mapped to one."""
    value = text.strip()
    if value.upper() in Severity.__members__:
        return Severity(value.upper())
    if value.lower() in ALERT_SEVERITIES:
        return ALERT_SEVERITIES[value.lower()]
    raise BadRequest(
        f"{text!r} is not a severity",
        location=location,
        hint="P0 (worst) to P4, or an alert severity: " + ", ".join(ALERT_SEVERITIES),
    )


def open_incident_from_alert(
    incidents: IncidentService,
    *,
    rule: str,
    severity: str,
    fired_ns: int,
    group_key: str = "",
    summary: str = "",
    labels: Mapping[str, str] | None = None,
    runbook_url: str = "",
    value: float | None = None,
    threshold: float | None = None,
    service: str | None = None,
    title: str = "",
    actor: str = "alerts",
    lookback_s: float = DEFAULT_LOOKBACK_S,
    start_ns: int | None = None,
    end_ns: int | None = None,
) -> Incident:
    """The open incident of the alert's group with this firing recorded, or a new one.

    A new incident is about the data from `lookback_s` before the firing (or `start_ns`) on,
    still going unless `end_ns` is given.
    """
    source: dict[str, Any] = {
        "kind": "alert",
        "rule": rule,
        "severity": severity,
        "fired_unix_nano": fired_ns,
        "group_key": group_key or rule,
        "summary": summary,
        "labels": dict(labels or {}),
        "runbook_url": runbook_url,
        "value": value,
        "threshold": threshold,
    }
    for incident in incidents.list_incidents():
        if incident.is_open and incident.source.get("group_key") == source["group_key"]:
            return incidents.record_alert(incident.id, source, actor=actor)
    return incidents.open(
        title=title or summary or f"Alert {rule} fired",
        actor=actor,
        severity=parse_severity(severity),
        start_ns=start_ns if start_ns is not None else fired_ns - int(lookback_s * 1e9),
        end_ns=end_ns,
        service=service,
        source=source,
    )
