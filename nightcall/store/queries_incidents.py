"""Queries behind incidents: their own events, and the reach of a fault in the telemetry.

`incident_events` reads nightcall's own table back in order. The others reduce a window in the
engine to what scoping an incident needs: entry endpoints before and after the onset, error
events per (service, exception type) with one sample's grouping parts, and who and what the
errors reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nightcall.store.connection import Row, literal, literal_list
from nightcall.store.queries_error_groups import EVENT_PARTS
from nightcall.store.queries_traces import ENTRY_SPAN, Window
from nightcall.store.schema import ERROR_EVENTS, INCIDENT_EVENTS, TRACES
from nightcall.store.store import Store

_NS = "toUnixTimestamp64Nano(Timestamp)"


def incident_events(store: Store, incident_id: str | None = None) -> list[Row]:
    """Every stored incident event (or one incident's), by incident and sequence number."""
    where = f"WHERE IncidentId = {literal(incident_id)}" if incident_id else ""
    return store.select(
        f"SELECT IncidentId, Seq, {_NS} AS ns, Kind, Actor, Payload"
        f" FROM {store.table(INCIDENT_EVENTS.name)} {where} ORDER BY IncidentId, Seq"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class EndpointShift:
    """One entry endpoint's requests, errors and p95 before and after an onset."""

    service: str
    name: str
    requests_before: int
    errors_before: int
    p95_before_ms: float | None
    requests_after: int
    errors_after: int
    p95_after_ms: float | None


def endpoint_shifts(
    store: Store, window: Window, onset_ns: int, services: Sequence[str], *, limit: int = 200
) -> list[EndpointShift]:
    """Entry endpoints of `services`, compared before and after `onset_ns` inside `window`."""
    if not services:
        return []
    after = f"{_NS} >= {literal(onset_ns)}"
    rows = store.select(
        f"""
        SELECT ServiceName AS service, SpanName AS name,
               countIf(NOT ({after})) AS n0, countIf(NOT ({after}) AND StatusCode = 'Error') AS e0,
               quantileIf(0.95)(Duration, NOT ({after})) AS p0,
               countIf({after}) AS n1, countIf({after} AND StatusCode = 'Error') AS e1,
               quantileIf(0.95)(Duration, {after}) AS p1
        FROM {store.table(TRACES.name)}
        WHERE {window.sql()} AND {ENTRY_SPAN} AND has({literal_list(list(services))}, ServiceName)
        GROUP BY service, name ORDER BY n1 DESC LIMIT {literal(limit)}
        """
    )
    return [
        EndpointShift(
            service=str(r["service"]),
            name=str(r["name"]),
            requests_before=int(r["n0"]),
            errors_before=int(r["e0"]),
            p95_before_ms=_ms(r["p0"]) if int(r["n0"]) else None,
            requests_after=int(r["n1"]),
            errors_after=int(r["e1"]),
            p95_after_ms=_ms(r["p1"]) if int(r["n1"]) else None,
        )
        for r in rows
    ]


def _ms(value: Any) -> float:
    return round(float(value) / 1e6, 3)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorKind:
    """A window's error events of one (service, exception type), with one event's parts."""

    service: str
    exception_type: str
    exception_value: str
    platform: str
    count: int
    users: int
    devices: tuple[str, ...]
    first_ns: int
    parts: dict[str, str]


def error_kinds(store: Store, window: Window, *, limit: int = 100) -> list[ErrorKind]:
    """The window's error events per (service, exception type), most events first."""
    parts = ", ".join(
        f"argMax(JSONExtractRaw(Event, {literal(p)}), Timestamp) AS `{p}`" for p in EVENT_PARTS
    )
    rows = store.select(
        f"""
        SELECT ServiceName AS service, ExceptionType AS type,
               argMax(ExceptionValue, Timestamp) AS value, any(Platform) AS platform,
               count() AS n, uniqExactIf(UserId, UserId != '') AS users,
               topKIf(5)(DeviceModel, DeviceModel != '') AS devices, min({_NS}) AS first_ns,
               {parts}
        FROM {store.table(ERROR_EVENTS.name)} WHERE {window.sql()}
        GROUP BY service, type ORDER BY n DESC LIMIT {literal(limit)}
        """
    )
    return [
        ErrorKind(
            service=str(r["service"]),
            exception_type=str(r["type"]),
            exception_value=str(r["value"]),
            platform=str(r["platform"]),
            count=int(r["n"]),
            users=int(r["users"]),
            devices=tuple(str(d) for d in r["devices"]),
            first_ns=int(r["first_ns"]),
            parts={p: str(r[p]) for p in EVENT_PARTS},
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorReach:
    """Who and what a window's error events reached."""

    events: int
    users: int
    devices: int
    user_ids: tuple[str, ...]
    device_models: tuple[str, ...]


def error_reach(
    store: Store, window: Window, services: Sequence[str], *, sample: int = 10
) -> ErrorReach:
    """Distinct users and devices of `services`' error events in `window`, with a sample."""
    if not services:
        return ErrorReach(events=0, users=0, devices=0, user_ids=(), device_models=())
    (row,) = store.select(
        f"""
        SELECT count() AS n, uniqExactIf(UserId, UserId != '') AS users,
               uniqExactIf(DeviceModel, DeviceModel != '') AS devices,
               topKIf({literal(sample)})(UserId, UserId != '') AS user_ids,
               topKIf({literal(sample)})(DeviceModel, DeviceModel != '') AS device_models
        FROM {store.table(ERROR_EVENTS.name)}
        WHERE {window.sql()} AND has({literal_list(list(services))}, ServiceName)
        """
    )
    return ErrorReach(
        events=int(row["n"]),
        users=int(row["users"]),
        devices=int(row["devices"]),
        user_ids=tuple(sorted(str(u) for u in row["user_ids"])),
        device_models=tuple(sorted(str(d) for d in row["device_models"])),
    )
