"""Human output of the CLI: rich tables over the API's JSON records, one function per listing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.table import Table


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


# Columns that hold numbers align right, so magnitudes line up.
_NUMERIC = {"req/s", "error %", "p50 ms", "p95 ms", "p99 ms", "ms", "offset ms", "spans", "errors",
            "points", "value", "lines"}  # fmt: skip


def _table(title: str, headers: Sequence[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for header in headers:
        table.add_column(header, justify="right" if header in _NUMERIC else "left")
    return table


def services_table(services: list[dict[str, Any]]) -> Table:
    table = _table(
        "Services (entry spans)", ["service", "req/s", "error %", "p50 ms", "p95 ms", "p99 ms"]
    )
    for s in sorted(services, key=lambda s: (-s["error_rate"], -(s["p95_ms"] or 0))):
        table.add_row(
            s["service"],
            f"{s['request_rate_per_s']:,.2f}",
            f"{100 * s['error_rate']:.1f}",
            _ms(s["p50_ms"]),
            _ms(s["p95_ms"]),
            _ms(s["p99_ms"]),
        )
    return table


def traces_table(traces: list[dict[str, Any]]) -> Table:
    table = _table("Traces", ["trace id", "start", "root", "ms", "spans", "errors"])
    for t in traces:
        table.add_row(
            t["trace_id"],
            t["start"][:23] + "Z",
            f"{t['root_service']}: {t['root_operation']}",
            _ms(t["duration_ms"]),
            str(t["span_count"]),
            str(t["error_count"]),
        )
    return table


def trace_table(trace: dict[str, Any]) -> Table:
    """The spans of one trace as an indented tree with offsets, as a waterfall reads."""
    spans = trace["spans"]
    children: dict[str | None, list[dict[str, Any]]] = {}
    ids = {s["span_id"] for s in spans}
    for span in spans:
        parent = span["parent_span_id"] if span["parent_span_id"] in ids else None
        children.setdefault(parent, []).append(span)
    table = _table(
        f"Trace {trace['trace_id']}  {trace['duration_ms']:,.1f} ms, {trace['span_count']} spans",
        ["span", "service", "offset ms", "ms", "status"],
    )
    start = trace["start_unix_nano"]

    def walk(parent: str | None, depth: int) -> None:
        for span in sorted(children.get(parent, []), key=lambda s: s["start_unix_nano"]):
            table.add_row(
                "  " * depth + span["name"],
                span["service"],
                _ms((span["start_unix_nano"] - start) / 1e6),
                _ms(span["duration_ms"]),
                span["status_code"]
                + (f": {span['status_message']}" if span["status_message"] else ""),
            )
            walk(span["span_id"], depth + 1)

    walk(None, 0)
    return table


def logs_table(logs: list[dict[str, Any]]) -> Table:
    table = _table("Logs", ["time", "service", "severity", "body"])
    for record in logs:
        table.add_row(
            record["time"][:23] + "Z", record["service"], record["severity"], record["body"]
        )
    return table


def log_templates_table(templates: list[dict[str, Any]]) -> Table:
    """Templates most lines first; `new` marks one first seen inside the window."""
    table = _table("Log templates", ["lines", "new", "severity", "service", "first seen",
                                     "template"])  # fmt: skip
    for t in templates:
        table.add_row(
            f"{t['count']:,}",
            "new" if t["is_new"] else "",
            t["severity"],
            t["service"],
            t["first_seen"][:19] + "Z",
            t["template"] if t["template"] is not None else f"({t['template_id']})",
        )
    return table


def metrics_table(metrics: list[dict[str, Any]]) -> Table:
    table = _table("Metrics", ["name", "type", "unit", "services", "attribute keys", "points"])
    for m in metrics:
        table.add_row(
            m["name"],
            m["type"],
            m["unit"],
            ", ".join(m["services"]),
            ", ".join(m["attribute_keys"]),
            str(m["points"]),
        )
    return table


def series_table(series: dict[str, Any]) -> Table:
    table = _table(
        f"{series['name']} ({series['type']}, {series['agg']}, step {series['step_s']:g}s)",
        ["labels", "time", "value"],
    )
    for one in series["series"]:
        label = ", ".join(one["labels"]) or "(all)"
        for point in one["points"]:
            value = point["value"]
            table.add_row(label, point["time"][:19] + "Z", "-" if value is None else f"{value:g}")
    return table


def keys_table(keys: list[dict[str, Any]]) -> Table:
    table = _table("Keys", ["id", "kind", "project", "created"])
    for key in keys:
        table.add_row(key["id"], key["kind"], key["project"] or "-", key["created"])
    return table


def make_console(*, width: int | None = None) -> Console:
    """The console the CLI prints to; tests pass a width so golden output is stable."""
    return Console(width=width, soft_wrap=False, highlight=False)


def errors_table(events: list[dict[str, Any]]) -> Table:
    table = _table("Error events", ["time", "event id", "service", "level", "exception",
                                    "release", "device / os"])  # fmt: skip
    for column in table.columns[:2]:  # the id is what `errors event` takes: never cut it
        column.no_wrap = True
        column.min_width = len("2026-01-01T00:00:00Z") if column.header == "time" else 32
    for e in events:
        exception = f"{e['exception_type']}: " if e["exception_type"] else ""
        where = " / ".join(part for part in (e["device"], e["os"]) if part) or "-"
        table.add_row(
            e["time"][:19] + "Z",
            e["event_id"],
            e["service"],
            e["level"],
            exception + e["exception_value"][:80],
            e["release"] or "-",
            where,
        )
    return table


def error_event_view(event: dict[str, Any]) -> Group:
    """One error event: a header, each exception's frames (innermost call last), breadcrumbs."""
    header = f"{event['exception_type'] or 'message'}: {event['exception_value']}"
    parts: list[Table | str] = [
        f"[bold]{header}[/bold]\n{event['event_id']}  {event['time']}  {event['service']}"
        f"  level={event['level']}  release={event['release'] or '-'}"
    ]
    for exception in event["exceptions"]:
        frames = (exception.get("stacktrace") or {}).get("frames") or []
        table = _table(
            f"{exception.get('type', '?')}: {exception.get('value', '')}",
            ["function", "file", "line", "code"],
        )
        for frame in frames:
            table.add_row(
                ("* " if frame.get("in_app") else "  ") + str(frame.get("function") or "?"),
                str(frame.get("filename") or frame.get("abs_path") or frame.get("module") or "?"),
                str(frame.get("lineno") or "-"),
                str(frame.get("context_line") or "").strip(),
            )
        parts.append(table)
    crumbs = _table("Breadcrumbs", ["time", "category", "level", "message"])
    for crumb in event["breadcrumbs"]:
        crumbs.add_row(
            str(crumb.get("timestamp") or "-"),
            str(crumb.get("category") or "-"),
            str(crumb.get("level") or "-"),
            str(crumb.get("message") or crumb.get("data") or ""),
        )
    parts.append(crumbs)
    return Group(*parts)


def _right_aligned(table: Table, *headers: str) -> Table:
    """Right-align these numeric columns too (the shared set covers the older tables)."""
    for column in table.columns:
        if column.header in headers:
            column.justify = "right"
    return table


def trace_analysis_table(analysis: dict[str, Any]) -> Table:
    """A trace's critical path segment by segment; then its bottlenecks and error origin."""
    self_ms = {s["span_id"]: s["self_ms"] for s in analysis["spans"]}
    table = _right_aligned(
        _table(
            f"Critical path, {analysis['duration_ms']:,.1f} ms",
            ["span", "service", "offset ms", "ms", "self ms", "note"],
        ),
        "self ms",
    )
    for segment in analysis["critical_path"]:
        table.add_row(
            segment["name"],
            segment["service"],
            _ms(segment["offset_ms"]),
            _ms(segment["duration_ms"]),
            _ms(self_ms.get(segment["span_id"])),
            "",
        )
    table.add_section()
    for b in analysis["bottlenecks"]:
        share = f"bottleneck: {100 * b['share']:.0f}% of the trace"
        table.add_row(b["name"], b["service"], "", _ms(b["duration_ms"]), _ms(b["self_ms"]), share)
    origin = analysis["error_origin"]
    if origin is not None:
        note = "error origin" + (f": {origin['message']}" if origin["message"] else "")
        table.add_row(origin["name"], origin["service"], "", "", "", note)
    for span_id in analysis["orphan_span_ids"]:
        table.add_row(span_id, "", "", "", "", "orphan: its parent is missing")
    return table


def service_map_table(service_map: dict[str, Any]) -> Table:
    """The service map's edges, worst error rate first, with each callee's kind."""
    kinds = {n["name"]: n["kind"] for n in service_map["nodes"]}
    table = _right_aligned(
        _table(
            "Service map",
            ["caller", "callee", "kind", "calls", "req/s", "error %", "p50 ms", "p95 ms"],
        ),
        "calls",
    )
    for e in sorted(service_map["edges"], key=lambda e: (-e["error_rate"], -e["p95_ms"])):
        table.add_row(
            e["caller"],
            e["callee"],
            kinds.get(e["callee"], "service"),
            str(e["calls"]),
            f"{e['rate_per_s']:,.2f}",
            f"{100 * e['error_rate']:.1f}",
            _ms(e["p50_ms"]),
            _ms(e["p95_ms"]),
        )
    return table
