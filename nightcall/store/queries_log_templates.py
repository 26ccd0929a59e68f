"""Read queries over log templates: texts by id, per-window counts, and per-step counts.

Counts come from `otel_logs` grouped by its `TemplateId` (0: a record stored without mining,
left out); texts, aliases and first-seen times from `nightcall_log_templates`, each id's
latest version. An id merged into another template resolves to it (`TemplateCatalog.live`),
so its lines count for the template they now belong to.

    counts = template_counts(store, window, service="checkout", step_s=60)
    window_counts = counts.counts_between(incident.start_ns, incident.end_ns)
    baseline = counts.counts_between(window.start_ns, incident.start_ns)
    new = find_new_templates(baseline, window_counts, window_s=incident_s,
                             first_seen_unix_nano=counts.first_seen())
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from nightcall.model import format_time_ns
from nightcall.store.connection import literal
from nightcall.store.queries_traces import Window
from nightcall.store.schema import LOG_TEMPLATES, LOGS
from nightcall.store.store import Store

MAX_ALIAS_HOPS = 8  # a merged id points at a live one; chains stay a few hops long


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateRow:
    """The latest version of one template id in `nightcall_log_templates`."""

    template_id: int
    service: str
    live_id: int
    template: str
    first_seen_unix_nano: int
    count: int


class TemplateCatalog:
    """Template rows by id, with merged ids resolved to the template they merged into."""

    def __init__(self, rows: dict[int, TemplateRow]):
        self.rows = rows

    def live(self, template_id: int) -> TemplateRow | None:
        """The live template for `template_id` (itself, or what it merged into); None if unknown."""
        row = self.rows.get(template_id)
        for _ in range(MAX_ALIAS_HOPS):
            if row is None or row.live_id == row.template_id or row.live_id not in self.rows:
                return row
            row = self.rows[row.live_id]
        return row

    def first_seen(self, template_id: int) -> int | None:
        """When the first line of `template_id` or of the template it merged into was seen."""
        known = [
            row.first_seen_unix_nano
            for row in (self.rows.get(template_id), self.live(template_id))
            if row is not None
        ]
        return min(known) if known else None


def load_templates(store: Store, template_ids: Iterable[int]) -> TemplateCatalog:
    """The rows of `template_ids` and of the templates they merged into."""
    rows: dict[int, TemplateRow] = {}
    wanted = {i for i in template_ids if i}
    for _ in range(MAX_ALIAS_HOPS):
        wanted -= rows.keys()
        if not wanted:
            break
        found = store.select(
            f"""
            SELECT TemplateId AS id, argMax(ServiceName, Updated) AS service,
                   argMax(LiveTemplateId, Updated) AS live, argMax(Template, Updated) AS template,
                   min(toUnixTimestamp64Nano(FirstSeen)) AS first_ns,
                   argMax(Count, Updated) AS count
            FROM {store.table(LOG_TEMPLATES.name)}
            WHERE TemplateId IN ({", ".join(literal(i) for i in sorted(wanted))})
            GROUP BY TemplateId
            """
        )
        for r in found:
            row = TemplateRow(
                template_id=int(r["id"]),
                service=str(r["service"]),
                live_id=int(r["live"]),
                template=str(r["template"]),
                first_seen_unix_nano=int(r["first_ns"]),
                count=int(r["count"]),
            )
            rows[row.template_id] = row
        wanted = {row.live_id for row in rows.values()} - rows.keys()
    return TemplateCatalog(rows)


def format_template_id(template_id: int) -> str:
    """The API's form of a template id: 16 lowercase hex digits."""
    return f"{template_id:016x}"


def _conditions(window: Window, service: str | None) -> str:
    conditions = [window.sql(), "TemplateId != 0"]
    if service:
        conditions.append(f"ServiceName = {literal(service)}")
    return " AND ".join(conditions)


def list_log_templates(
    store: Store, window: Window, *, service: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """The templates with lines in `window`, most lines first, as the API's records.

    `first_seen` is when the template's first line was seen at all (from the templates table),
    so `is_new` says the template appeared inside the window; `last_seen` is its last line in
    the window; `severity` is its most common severity text in the window.
    """
    found = store.select(
        f"""
        SELECT ServiceName AS service, TemplateId AS id, SeverityText AS severity,
               count() AS n, min(toUnixTimestamp64Nano(Timestamp)) AS first_ns,
               max(toUnixTimestamp64Nano(Timestamp)) AS last_ns
        FROM {store.table(LOGS.name)} WHERE {_conditions(window, service)}
        GROUP BY service, id, severity
        """
    )
    catalog = load_templates(store, (int(r["id"]) for r in found))
    merged: dict[int, dict[str, Any]] = {}
    severities: dict[int, Counter[str]] = defaultdict(Counter)
    for r in found:
        own = int(r["id"])
        live = catalog.live(own)
        key = live.template_id if live is not None else own
        seen = catalog.first_seen(own)
        first = int(r["first_ns"]) if seen is None else min(seen, int(r["first_ns"]))
        entry = merged.setdefault(key, {
            "service": r["service"], "template_id": format_template_id(key),
            "template": live.template if live is not None else None, "count": 0,
            "first_ns": first, "last_ns": int(r["last_ns"]),
        })  # fmt: skip
        entry["count"] += int(r["n"])
        entry["first_ns"] = min(entry["first_ns"], first)
        entry["last_ns"] = max(entry["last_ns"], int(r["last_ns"]))
        severities[key][str(r["severity"])] += int(r["n"])
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1]["count"], kv[1]["first_ns"], kv[0]))
    return [
        {
            "service": entry["service"],
            "template_id": entry["template_id"],
            "template": entry["template"],
            "count": entry["count"],
            "first_seen": format_time_ns(entry["first_ns"]),
            "first_seen_unix_nano": entry["first_ns"],
            "last_seen": format_time_ns(entry["last_ns"]),
            "last_seen_unix_nano": entry["last_ns"],
            "is_new": entry["first_ns"] >= window.start_ns,
            "severity": min(severities[key].items(), key=lambda kv: (-kv[1], kv[0]))[0],
        }
        for key, entry in ranked[:limit]
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateSeries:
    """One template's line counts per step of a window."""

    service: str
    template_id: int
    template: str | None
    first_seen_unix_nano: int | None
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateCounts:
    """Per (service, template) counts per step over a window; bucket i starts at start + i*step."""

    start_ns: int
    step_ns: int
    buckets: int
    series: tuple[TemplateSeries, ...]

    def bucket_start_ns(self, index: int) -> int:
        return self.start_ns + index * self.step_ns

    def counts_between(
        self, start_ns: int, end_ns: int, *, service: str | None = None
    ) -> dict[int, int]:
        """Lines per template id in the buckets that start in [start_ns, end_ns)."""
        first = max(0, math.ceil((start_ns - self.start_ns) / self.step_ns))
        last = min(self.buckets, math.ceil((end_ns - self.start_ns) / self.step_ns))
        found = {}
        for one in self.series:
            if service is None or one.service == service:
                total = sum(one.counts[first:last])
                if total:
                    found[one.template_id] = total
        return found

    def first_seen(self) -> dict[int, int]:
        """When each template's first line was seen, where the templates table knows it."""
        return {
            s.template_id: s.first_seen_unix_nano
            for s in self.series
            if s.first_seen_unix_nano is not None
        }

    def templates(self) -> dict[int, str]:
        """Each template id's text, where the templates table knows it."""
        return {s.template_id: s.template for s in self.series if s.template is not None}


def template_counts(
    store: Store, window: Window, *, service: str | None = None, step_s: float = 60
) -> TemplateCounts:
    """Lines per live template per `step_s` bucket of `window`, merged ids folded in.

    For the diagnosis: `counts_between` gives the mappings `find_new_templates` and
    `find_template_spikes` take, and `first_seen` their `first_seen_unix_nano`.
    """
    step_ns = max(1, int(step_s * 1e9))
    buckets = max(1, math.ceil((window.end_ns - window.start_ns) / step_ns))
    found = store.select(
        f"""
        SELECT ServiceName AS service, TemplateId AS id,
               intDiv(toUnixTimestamp64Nano(Timestamp) - {literal(window.start_ns)},
                      {literal(step_ns)}) AS bucket,
               count() AS n
        FROM {store.table(LOGS.name)} WHERE {_conditions(window, service)}
        GROUP BY service, id, bucket
        """
    )
    catalog = load_templates(store, (int(r["id"]) for r in found))
    counts: dict[tuple[str, int], list[int]] = {}
    first_seen: dict[int, int] = {}
    for r in found:
        own = int(r["id"])
        live = catalog.live(own)
        key = (str(r["service"]), live.template_id if live is not None else own)
        per_bucket = counts.setdefault(key, [0] * buckets)
        per_bucket[min(int(r["bucket"]), buckets - 1)] += int(r["n"])
        seen = catalog.first_seen(own)
        if seen is not None:
            first_seen[key[1]] = min(seen, first_seen.get(key[1], seen))
    series = []
    for (name, template_id), per_bucket in sorted(counts.items()):
        row = catalog.rows.get(template_id)
        series.append(
            TemplateSeries(
                service=name,
                template_id=template_id,
                template=row.template if row is not None else None,
                first_seen_unix_nano=first_seen.get(template_id),
                counts=tuple(per_bucket),
            )
        )
    return TemplateCounts(
        start_ns=window.start_ns, step_ns=step_ns, buckets=buckets, series=tuple(series)
    )
