"""Incident events to and from the store: rows of `nightcall_incident_events`.

The payload is JSON (orjson), the only format nightcall's own state is kept in, so a person or
another tool can read the table directly.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from nightcall.errors import StoreError
from nightcall.model import EncodedBatch, IncidentEvent, IncidentEventKind
from nightcall.store.connection import Row
from nightcall.store.schema import INCIDENT_EVENTS


def events_batch(events: Sequence[IncidentEvent]) -> EncodedBatch:
    """One insert block of `events` for the single writer."""
    rows = [
        (
            e.incident_id,
            e.seq,
            e.time_ns,
            e.kind.value,
            e.actor,
            orjson.dumps(dict(e.payload), option=orjson.OPT_SORT_KEYS).decode(),
        )
        for e in events
    ]
    columns = [list(column) for column in zip(*rows, strict=True)]
    return EncodedBatch(
        table=INCIDENT_EVENTS.name,
        columns=INCIDENT_EVENTS.insert_columns,
        payload=orjson.dumps(columns),
        rows=len(rows),
    )


def event_from_row(row: Row) -> IncidentEvent:
    """The event one stored row holds (a row nightcall did not write raises StoreError)."""
    try:
        return IncidentEvent(
            incident_id=str(row["IncidentId"]),
            seq=int(row["Seq"]),
            time_ns=int(row["ns"]),
            kind=IncidentEventKind(str(row["Kind"])),
            actor=str(row["Actor"]),
            payload=orjson.loads(str(row["Payload"]) or "{}"),
        )
    except (ValueError, orjson.JSONDecodeError) as exc:
        raise StoreError(
            f"incident event {row.get('IncidentId')}#{row.get('Seq')} cannot be read: {exc}",
            hint="the row was not written by this nightcall; restore the table from a backup",
        ) from None
