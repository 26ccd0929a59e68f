"""A timeline entry: one moment of an incident, from the data or from the incident itself."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class TimelineKind(StrEnum):
    """What happened at a moment of an incident's timeline."""

    # Read from the data of the incident's window (at one moment, in this order: a change
    # comes before the fault it may have caused).
    DEPLOY = "deploy"
    RESTART = "restart"
    ONSET = "onset"  # the moment the diagnosis settles on as the fault's start
    FIRST_ANOMALY = "first_anomaly"
    ANOMALY = "anomaly"  # the first anomaly of another service in scope
    ERROR_BURST = "error_burst"
    RECOVERY = "recovery"  # the leading cause's shifted series came back to its baseline
    # The incident's own record.
    ALERT_FIRED = "alert_fired"
    OPENED = "opened"
    PHASE_CHANGED = "phase_changed"
    SEVERITY_CHANGED = "severity_changed"
    COMMANDER_CHANGED = "commander_changed"
    SCOPE_EDITED = "scope_edited"
    HYPOTHESIS_PROPOSED = "hypothesis_proposed"
    HYPOTHESIS_UPDATED = "hypothesis_updated"
    EVIDENCE_ATTACHED = "evidence_attached"
    NOTE = "note"


class TimelineSource(StrEnum):
    """Where an entry comes from."""

    DATA = "data"  # reconstructed from the telemetry
    INCIDENT = "incident"  # the incident's own events


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    """One moment: what happened, where, who did it, and how to check it.

    `link` is the API path that shows the evidence (a query over the right window);
    `evidence` holds the numbers behind the entry.
    """

    time_ns: int
    kind: TimelineKind
    source: TimelineSource
    title: str
    service: str = ""
    actor: str = ""
    detail: str = ""
    link: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
