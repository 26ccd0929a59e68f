"""Log lines as evidence: templates new since the onset, and templates whose rate spiked.

"This log line never appeared before 02:47" is often the clue: the first "certificate has
expired", a new "timeout acquiring connection". The candidate service's template counts before
and after the onset go through `find_new_templates` and `find_template_spikes`; the earliest new
templates and the most surprising spikes become evidence with their text, count and first time.
"""

from __future__ import annotations

from nightcall.analysis.logs.changes import find_new_templates, find_template_spikes
from nightcall.explain.hypotheses.context import Context
from nightcall.explain.hypotheses.shapes import short_time
from nightcall.model import EvidenceItem
from nightcall.store.queries_log_templates import format_template_id

MAX_NEW = 2
MAX_SPIKES = 1


def log_evidence(ctx: Context, service: str) -> list[EvidenceItem]:
    """New and spiking log templates of `service` after the onset, as evidence."""
    counts = ctx.telemetry.templates
    window = ctx.telemetry.window
    if counts is None or not (window.start_ns < ctx.onset_ns < window.end_ns):
        return []
    before = counts.counts_between(window.start_ns, ctx.onset_ns, service=service)
    after = counts.counts_between(ctx.onset_ns, window.end_ns, service=service)
    texts = counts.templates()
    first_seen = counts.first_seen()
    after_s = (window.end_ns - ctx.onset_ns) / 1e9
    before_s = (ctx.onset_ns - window.start_ns) / 1e9
    items = []
    for new in find_new_templates(before, after, window_s=after_s, first_seen_unix_nano=first_seen)[
        :MAX_NEW
    ]:
        seen = new.first_seen_unix_nano
        items.append(
            EvidenceItem(
                label="new log template since the onset",
                value=new.window_count,
                detail=f'{new.window_count} lines of "{texts.get(new.template_id, "?")}"'
                + (f", first at {short_time(seen)}" if seen else ""),
                query=f"GET /api/v1/logs?service={service}"
                f"&template_id={format_template_id(new.template_id)}",
                start_ns=seen,
            )
        )
    if before_s > 0:
        spikes = find_template_spikes(
            before, after, baseline_s=before_s, window_s=after_s, first_seen_unix_nano=first_seen
        )
        for spike in spikes[:MAX_SPIKES]:
            items.append(
                EvidenceItem(
                    label="log template rate spike",
                    value=round(spike.ratio, 1),
                    unit="x",
                    detail=f'"{texts.get(spike.template_id, "?")}": {spike.window_count} lines'
                    f" after the onset, {spike.ratio:.1f}x its earlier rate",
                    query=f"GET /api/v1/logs/templates?service={service}",
                )
            )
    return items
