"""Human output of `nightcall alerts`: rules, alerts and events, silences, delivery attempts."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table


def _table(title: str, headers: list[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for header in headers:
        table.add_column(
            header, justify="right" if header in {"value", "attempt", "ms"} else "left"
        )
    return table


def _labels(labels: dict[str, str], skip: tuple[str, ...] = ("alertname", "severity")) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k not in skip) or "-"


def _watches(rule: dict[str, Any]) -> str:
    match = f"{{{_labels(rule['match'], ())}}}" if rule.get("match") else ""
    if rule["kind"] == "hypothesis":
        return f"hypothesis {rule['hypothesis']} >= {rule['min_confidence']:g}{match}"
    agg = f":{rule['agg']}" if rule.get("agg") else ""
    if rule["kind"] == "threshold":
        return f"{rule['series']}{agg}{match} {rule['op']} {rule['threshold']:g}"
    return f"anomaly in {rule['series']}{agg}{match} ({rule['direction']})"


def rules_table(answer: dict[str, Any]) -> Table:
    table = _table("Alert rules", ["name", "severity", "watches", "for", "source", "runbook"])
    for rule in answer["rules"]:
        name = rule["name"] + (
            f"\n[red]error: {rule['last_error']}[/]" if rule["last_error"] else ""
        )
        table.add_row(
            name,
            rule["severity"],
            _watches(rule),
            f"{rule['for_s']:g} s",
            rule["source"],
            rule["runbook_url"] or "-",
        )
    return table


def _value(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def alerts_view(answer: dict[str, Any]) -> Group:
    active = _table(
        "Alerts now", ["state", "severity", "rule", "labels", "value", "since", "summary"]
    )
    for alert in answer["alerts"]:
        state = alert["state"] + (" (silenced)" if alert["silenced"] else "")
        active.add_row(
            state,
            alert["severity"],
            alert["rule"],
            _labels(alert["labels"]),
            _value(alert["value"]),
            alert["active_since"][:19],
            alert["summary"],
        )
    events = _table("Recent events", ["time", "state", "severity", "rule", "labels", "incident"])
    for event in answer["events"]:
        state = event["state"] + (" (silenced)" if event["silenced"] else "")
        events.add_row(
            event["time"][:19],
            state,
            event["severity"],
            event["rule"],
            _labels(event["labels"]),
            event["incident_id"] or "-",
        )
    return Group(active, events)


def silences_table(answer: dict[str, Any]) -> Table:
    table = _table("Silences", ["id", "matchers", "ends", "active", "by", "comment"])
    table.columns[0].no_wrap = True  # the id is what `--delete` takes: never cut it
    for silence in answer["silences"]:
        matchers = ", ".join(f"{m['label']}{m['op']}{m['value']}" for m in silence["matchers"])
        table.add_row(
            silence["id"],
            matchers,
            silence["ends_at"][:19],
            "yes" if silence["is_active"] else "no",
            silence["created_by"] or "-",
            silence["comment"] or "-",
        )
    return table


def deliveries_view(answer: dict[str, Any]) -> Group:
    table = _table(
        "Delivery attempts", ["time", "receiver", "rule", "state", "attempt", "result", "ms"]
    )
    for d in answer["deliveries"]:
        result = "ok" if d["ok"] else (d["error"] or f"HTTP {d['status_code']}")
        if d["ok"] and d["status_code"]:
            result = f"ok ({d['status_code']})"
        attempt = f"{d['attempt']}" + ("" if d["is_final"] else " (retrying)")
        table.add_row(
            d["time"][:19],
            d["receiver"],
            d["rule"],
            d["state"],
            attempt,
            result,
            f"{d['duration_ms']:,.1f}",
        )
    parts: list[Any] = [table]
    if answer["dropped"]:
        dropped = _table("Dropped (not queued)", ["receiver", "reason", "value"])
        for item in answer["dropped"]:
            dropped.add_row(item["receiver"], item["reason"], str(item["count"]))
        parts.append(dropped)
    return Group(*parts)
