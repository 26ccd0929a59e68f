"""Alerting's rows in the store: rules and silences (state), events and deliveries (history).

Writes are `EncodedBatch`es for the ingest pipeline, so the single writer owns every write;
reads are SQL over nightcall's own tables. Rules and silences are versioned rows: a change
or a deletion writes a new version, and readers take each one's latest (argMax by Updated).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import orjson

from nightcall.alerts.delivery import DeliveryAttempt
from nightcall.alerts.records import AlertEvent, event_json
from nightcall.alerts.silences import Matcher, Silence, silence_json
from nightcall.config.alerts import AlertRule, parse_alert_rule, rule_json
from nightcall.errors import ConfigError
from nightcall.model import EncodedBatch, format_time_ns
from nightcall.store.connection import literal
from nightcall.store.queries_traces import Window
from nightcall.store.schema import (
    ALERT_DELIVERIES,
    ALERT_EVENTS,
    ALERT_RULES,
    ALERT_SILENCES,
    Table,
)
from nightcall.store.store import Store

log = logging.getLogger("nightcall.alerts")


def _batch(table: Table, rows: Sequence[tuple[Any, ...]]) -> EncodedBatch:
    columns = [list(column) for column in zip(*rows, strict=True)]
    return EncodedBatch(table=table.name, columns=table.insert_columns,
                        payload=orjson.dumps(columns), rows=len(rows))  # fmt: skip


def rule_batch(rule: AlertRule, time_ns: int, *, is_deleted: bool = False) -> EncodedBatch:
    """A new version of an API-created rule (or its deletion)."""
    text = orjson.dumps(rule_json(rule)).decode()
    return _batch(ALERT_RULES, [(rule.name, text, is_deleted, time_ns)])


def silence_batch(silence: Silence, time_ns: int, *, is_deleted: bool = False) -> EncodedBatch:
    """A new version of a silence (or its deletion)."""
    text = orjson.dumps(silence_json(silence, time_ns)).decode()
    row = (silence.silence_id, text, silence.starts_ns, silence.ends_ns, is_deleted, time_ns)
    return _batch(ALERT_SILENCES, [row])


def event_batch(events: Sequence[AlertEvent]) -> EncodedBatch:
    """Rows of `nightcall_alert_events`."""
    rows = [
        (e.time_ns, e.alert.rule, e.state.value, e.alert.severity.value, e.alert.group_key,
         e.alert.dedup_key, e.alert.value if math.isfinite(e.alert.value) else 0.0,
         e.silenced, e.alert.incident_id or "", orjson.dumps(event_json(e)).decode())
        for e in events
    ]  # fmt: skip
    return _batch(ALERT_EVENTS, rows)


def delivery_batch(attempts: Sequence[DeliveryAttempt]) -> EncodedBatch:
    """Rows of `nightcall_alert_deliveries`."""
    rows = [
        (a.time_ns, a.receiver, a.event.alert.rule, a.event.alert.dedup_key,
         a.event.state.value, a.attempt, a.result.is_ok, a.result.status_code or 0,
         a.result.error, a.result.duration_ns, a.is_final)
        for a in attempts
    ]  # fmt: skip
    return _batch(ALERT_DELIVERIES, rows)


def load_rules(store: Store) -> list[AlertRule]:
    """The API-created rules in their latest versions, deleted ones left out."""
    rows = store.select(
        f"SELECT Name, argMax(Rule, Updated) AS rule, argMax(Deleted, Updated) AS deleted"
        f" FROM {store.table(ALERT_RULES.name)} GROUP BY Name ORDER BY Name"
    )
    rules = []
    for row in rows:
        if row["deleted"]:
            continue
        try:
            rules.append(parse_alert_rule(orjson.loads(row["rule"]), where="stored rule"))
        except (ConfigError, orjson.JSONDecodeError) as exc:  # kept, not lost: say so
            log.warning("the stored alert rule %r is not valid here, left out: %s",
                        row["Name"], exc)  # fmt: skip
    return rules


def load_silences(store: Store) -> list[Silence]:
    """Every silence in its latest version, deleted ones left out (expired ones kept)."""
    rows = store.select(
        f"SELECT SilenceId, argMax(Silence, Updated) AS silence,"
        f" argMax(Deleted, Updated) AS deleted"
        f" FROM {store.table(ALERT_SILENCES.name)} GROUP BY SilenceId ORDER BY SilenceId"
    )
    silences = []
    for row in rows:
        if row["deleted"]:
            continue
        raw = orjson.loads(row["silence"])
        matchers = tuple(Matcher(label=m["label"], value=m["value"], op=m["op"])
                         for m in raw["matchers"])  # fmt: skip
        silences.append(Silence(silence_id=raw["id"], matchers=matchers,
                                starts_ns=int(raw["starts_unix_nano"]),
                                ends_ns=int(raw["ends_unix_nano"]),
                                created_by=raw.get("created_by", ""),
                                comment=raw.get("comment", "")))  # fmt: skip
    return silences


def recent_events(
    store: Store, window: Window, *, limit: int, rule: str | None = None
) -> list[dict[str, Any]]:
    """Recorded alert events in `window`, newest first."""
    where = window.sql()
    if rule:
        where += f" AND Rule = {literal(rule)}"
    rows = store.select(
        f"SELECT Alert FROM {store.table(ALERT_EVENTS.name)} WHERE {where}"
        f" ORDER BY Timestamp DESC LIMIT {int(limit)}"
    )
    return [orjson.loads(row["Alert"]) for row in rows]


def recent_deliveries(
    store: Store, window: Window, *, limit: int, receiver: str | None = None
) -> list[dict[str, Any]]:
    """Recorded delivery attempts in `window`, newest first."""
    where = window.sql()
    if receiver:
        where += f" AND Receiver = {literal(receiver)}"
    rows = store.select(
        f"SELECT toUnixTimestamp64Nano(Timestamp) AS ns, Receiver, Rule, DedupKey, State,"
        f" Attempt, Ok, StatusCode, Error, DurationNs, IsFinal"
        f" FROM {store.table(ALERT_DELIVERIES.name)} WHERE {where}"
        f" ORDER BY Timestamp DESC, Attempt DESC LIMIT {int(limit)}"
    )
    return [
        {
            "time": format_time_ns(int(row["ns"])),
            "time_unix_nano": int(row["ns"]),
            "receiver": row["Receiver"],
            "rule": row["Rule"],
            "dedup_key": row["DedupKey"],
            "state": row["State"],
            "attempt": int(row["Attempt"]),
            "ok": bool(row["Ok"]),
            "status_code": int(row["StatusCode"]) or None,
            "error": row["Error"],
            "duration_ms": int(row["DurationNs"]) / 1e6,
            "is_final": bool(row["IsFinal"]),
        }
        for row in rows
    ]
