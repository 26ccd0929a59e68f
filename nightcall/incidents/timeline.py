"""The incident's timeline: what the data shows, merged with what the people did, in order.

The data entries (first anomaly, onset, deploys, restarts, error bursts, recovery) are read by
`nightcall.incidents.reconstruct` when the incident is opened or refreshed, and kept in its
record; the incident's own entries come from its events. Both carry a link to their evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nightcall.incidents.evidence import evidence_link
from nightcall.model import (
    IncidentEvent,
    IncidentEventKind,
    TimelineEntry,
    TimelineKind,
    TimelineSource,
)

# Data entries at the same moment read in this order.
_ORDER = {kind: rank for rank, kind in enumerate(TimelineKind)}


def entry_to_json(entry: TimelineEntry) -> dict[str, Any]:
    """The stored (and API) form of an entry, without its RFC 3339 time."""
    return {
        "time_unix_nano": entry.time_ns,
        "kind": entry.kind.value,
        "source": entry.source.value,
        "title": entry.title,
        "service": entry.service or None,
        "actor": entry.actor or None,
        "detail": entry.detail or None,
        "link": entry.link or None,
        "evidence": dict(entry.evidence),
    }


def entry_from_json(item: Mapping[str, Any]) -> TimelineEntry:
    return TimelineEntry(
        time_ns=int(item["time_unix_nano"]),
        kind=TimelineKind(item["kind"]),
        source=TimelineSource(item["source"]),
        title=str(item["title"]),
        service=str(item.get("service") or ""),
        actor=str(item.get("actor") or ""),
        detail=str(item.get("detail") or ""),
        link=str(item.get("link") or ""),
        evidence=dict(item.get("evidence") or {}),
    )


def _own(event: IncidentEvent, kind: TimelineKind, title: str, **more: Any) -> TimelineEntry:
    return TimelineEntry(
        time_ns=event.time_ns,
        kind=kind,
        source=TimelineSource.INCIDENT,
        title=title,
        actor=event.actor,
        link=more.pop("link", f"/api/v1/incidents/{event.incident_id}"),
        **more,
    )


def _alert(event: IncidentEvent, source: Mapping[str, Any]) -> TimelineEntry:
    rule = source.get("rule") or "an alert"
    summary = source.get("summary") or ""
    return TimelineEntry(
        time_ns=int(source.get("fired_unix_nano") or event.time_ns),
        kind=TimelineKind.ALERT_FIRED,
        source=TimelineSource.INCIDENT,
        title=f"Alert {rule} fired" + (f": {summary}" if summary else ""),
        actor=event.actor,
        link=str(source.get("runbook_url") or f"/api/v1/incidents/{event.incident_id}"),
        evidence={k: v for k, v in source.items() if k in ("group_key", "value", "threshold")},
    )


def _hypothesis_update(event: IncidentEvent) -> list[TimelineEntry]:
    p = event.payload
    hid, reason = p["id"], p.get("reason") or ""
    found: list[TimelineEntry] = []
    if "status" in p:
        title = f"{hid} {p['status']}" + (f": {reason}" if reason else "")
        found.append(_own(event, TimelineKind.HYPOTHESIS_UPDATED, title))
    for item in p.get("evidence") or ():
        title = f"Evidence for {hid}: {item.get('label')}"
        link = evidence_link(item) or f"/api/v1/incidents/{event.incident_id}"
        found.append(
            _own(event, TimelineKind.EVIDENCE_ATTACHED, title, evidence=dict(item), link=str(link))
        )
    if "note" in p and "status" not in p:
        found.append(_own(event, TimelineKind.HYPOTHESIS_UPDATED, f"Note on {hid}: {p['note']}"))
    return found


def incident_entries(events: Sequence[IncidentEvent]) -> list[TimelineEntry]:
    """The timeline entries of the incident's own events.

    Data reads and post-mortem edits are not entries: they are about the record, not the
    incident.
    """
    found: list[TimelineEntry] = []
    for event in events:
        p, kind = event.payload, event.kind
        if kind == IncidentEventKind.OPENED:
            source = p.get("source") or {}
            if source.get("kind") == "alert":
                found.append(_alert(event, source))
            found.append(
                _own(
                    event,
                    TimelineKind.OPENED,
                    f"Incident {event.incident_id} opened ({p['severity']}): {p['title']}",
                )
            )
        elif kind == IncidentEventKind.ALERT_FIRED:
            found.append(_alert(event, p))
        elif kind == IncidentEventKind.PHASE_CHANGED:
            reason = p.get("reason") or ""
            title = f"Phase {p.get('previous')} → {p['phase']}" + (f": {reason}" if reason else "")
            found.append(_own(event, TimelineKind.PHASE_CHANGED, title))
        elif kind == IncidentEventKind.SEVERITY_CHANGED:
            reason = p.get("reason") or ""
            title = f"Severity {p.get('previous')} → {p['severity']}" + (
                f": {reason}" if reason else ""
            )
            found.append(_own(event, TimelineKind.SEVERITY_CHANGED, title))
        elif kind == IncidentEventKind.COMMANDER_CHANGED:
            found.append(
                _own(event, TimelineKind.COMMANDER_CHANGED, f"Commander: {p['commander']}")
            )
        elif kind == IncidentEventKind.SCOPE_EDITED:
            fields = ", ".join(f"{k}={v}" for k, v in sorted(p.items()) if k != "reason")
            found.append(_own(event, TimelineKind.SCOPE_EDITED, f"Scope set: {fields}"))
        elif kind == IncidentEventKind.HYPOTHESIS_PROPOSED:
            who = {"engine": "the engine", "memory": "memory"}.get(p.get("source", ""), "")
            title = f"{p['id']} proposed" + (f" by {who}" if who else "") + f": {p['statement']}"
            found.append(
                _own(
                    event,
                    TimelineKind.HYPOTHESIS_PROPOSED,
                    title,
                    service=str(p.get("service") or ""),
                )
            )
        elif kind == IncidentEventKind.HYPOTHESIS_UPDATED:
            found.extend(_hypothesis_update(event))
        elif kind == IncidentEventKind.NOTE_ADDED:
            found.append(_own(event, TimelineKind.NOTE, f"Note: {p['text']}"))
    return found


def merge_timeline(
    data: Sequence[TimelineEntry], own: Sequence[TimelineEntry]
) -> list[TimelineEntry]:
    """Both kinds of entry in time order; at one moment the data's first (in the order of
    `TimelineKind`), then the incident's in the order its events happened."""
    keyed = [((e.time_ns, 0, _ORDER[e.kind]), e) for e in data]
    keyed += [((e.time_ns, 1, index), e) for index, e in enumerate(own)]
    keyed.sort(key=lambda pair: pair[0])
    return [entry for _, entry in keyed]


def build_timeline(
    data: Sequence[TimelineEntry], events: Sequence[IncidentEvent]
) -> list[TimelineEntry]:
    """The incident's timeline: its data entries and its events' entries, in order."""
    return merge_timeline(data, incident_entries(events))
