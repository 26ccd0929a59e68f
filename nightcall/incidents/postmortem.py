"""The blameless post-mortem, filled from the incident: Markdown or HTML, edits kept.

The seeds' template: summary (impact, users affected, duration, root cause), timeline, root
cause (the confirmed hypotheses with their evidence, and what was ruled out), resolution
(immediate, short-term, long-term), action items as checkboxes, lessons. Every section is
generated from the incident's record until a person edits it; an edited section is kept as
written (a `postmortem_edited` event) while the others follow the record on each render.
`sections_from_markdown` reads a rendered file back, so a person can edit the document itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from nightcall.errors import BadRequest
from nightcall.incidents.evidence import evidence_link
from nightcall.incidents.markdown_html import markdown_to_html
from nightcall.model import (
    EvidenceKind,
    HypothesisStatus,
    Incident,
    LoggedHypothesis,
    Phase,
    TimelineEntry,
    TimelineKind,
)

SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "timeline": "Timeline",
    "root_cause": "Root cause",
    "resolution": "Resolution",
    "action_items": "Action items",
    "lessons": "Lessons",
}
FILL_IN = "_(fill in)_"
MAX_OUTPUT_LINES = 12
_LATE_DETECTION_NS = 300 * 10**9


def check_sections(sections: Mapping[str, str]) -> None:
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise BadRequest(
            f"the post-mortem has no section {unknown[0]!r}",
            location="section",
            hint="sections: " + ", ".join(SECTIONS),
        )


def clock(time_ns: int | None) -> str:
    if time_ns is None:
        return "-"
    return datetime.fromtimestamp(time_ns / 1e9, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def span(duration_ns: int) -> str:
    """A duration as people say it: 45 s, 12 min, 2 h 05 min, 3 d 4 h."""
    seconds = max(0, duration_ns // 10**9)
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    return f"{hours // 24} d {hours % 24} h"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _first(timeline: Sequence[TimelineEntry], *kinds: TimelineKind) -> TimelineEntry | None:
    return next((e for e in timeline if e.kind in kinds), None)


def _detection(incident: Incident, timeline: Sequence[TimelineEntry]) -> tuple[int, str]:
    """When the incident was detected, and by what."""
    alert = _first(timeline, TimelineKind.ALERT_FIRED)
    if alert is not None:
        rule = incident.source.get("rule") or alert.title.removeprefix("Alert ").split(" ")[0]
        return alert.time_ns, f"by the alert {rule}"
    return incident.opened_ns, f"by {incident.opened_by}, who opened the incident"


def _impact_line(impact: Mapping[str, Any]) -> str:
    endpoints = impact.get("endpoints") or []
    if not endpoints:
        return "no entry endpoint got measurably worse after the onset."
    worst = endpoints[0]
    parts = [
        f"{impact.get('failed_requests', 0):,} more failed requests than usual on"
        f" {len(endpoints)} endpoint(s); worst: {worst['service']}: {worst['endpoint']}"
    ]
    if worst.get("error_rate_after", 0) > worst.get("error_rate_before", 0):
        parts.append(
            f"errors {100 * worst['error_rate_before']:.1f} % → "
            f"{100 * worst['error_rate_after']:.1f} %"
        )
    p0, p1 = worst.get("p95_before_ms"), worst.get("p95_after_ms")
    if p0 and p1 and p1 > p0:
        parts.append(f"p95 {p0:,.0f} ms → {p1:,.0f} ms")
    return ", ".join(parts) + "."


def _summary(incident: Incident, timeline: Sequence[TimelineEntry]) -> str:
    scope = incident.scope
    users = f"{scope.user_count or 0:,} users and {scope.device_count or 0:,} devices had errors"
    if not (scope.user_count or scope.device_count):
        users = "no error event named a user or a device"
    elif scope.users:
        users += " (for example " + ", ".join(scope.users[:5]) + ")"
    start = incident.onset_ns or incident.start_ns
    end = incident.recovery_ns or incident.closed_ns or incident.updated_ns
    until = "recovery" if incident.recovery_ns else "close" if incident.closed_ns else "last update"
    detected_ns, detected = _detection(incident, timeline)
    confirmed = incident.confirmed
    cause = "; ".join(f"{h.statement} ({h.id})" for h in confirmed) or (
        f"not confirmed; {len(incident.hypotheses)} hypotheses in the log"
    )
    return "\n".join(
        [
            f"- **Impact:** {_impact_line(incident.impact)}",
            f"- **Users affected:** {users}.",
            f"- **Services:** {', '.join(scope.services) or 'none found in the data'}.",
            f"- **Duration:** {span(end - start)}, from the onset ({clock(start)} UTC) to {until}"
            f" ({clock(end)} UTC).",
            f"- **Detected:** {detected}, at {clock(detected_ns)} UTC"
            + (f", {span(detected_ns - start)} after the onset." if detected_ns >= start else "."),
            f"- **Root cause:** {cause}.",
        ]
    )


def _timeline(incident: Incident, timeline: Sequence[TimelineEntry]) -> str:
    own = f"/api/v1/incidents/{incident.id}"  # this document: not worth a column
    rows = ["| Time (UTC) | What | Who or where | Evidence |", "| --- | --- | --- | --- |"]
    for entry in timeline:
        where = entry.actor or entry.service or ""
        link = f"`{_cell(entry.link)}`" if entry.link and entry.link != own else ""
        rows.append(f"| {clock(entry.time_ns)} | {_cell(entry.title)} | {_cell(where)} | {link} |")
    return "\n".join(rows)


def _settled(h: LoggedHypothesis) -> str:
    change = next((c for c in reversed(h.history) if c.status == h.status), None)
    if change is None:
        return h.status.value
    return f"{h.status} by {change.actor}" + (f": {change.reason}" if change.reason else "")


def _evidence(items: Sequence[Mapping[str, Any]]) -> list[str]:
    lines: list[str] = []
    outputs: list[str] = []
    for item in items:
        kind, label = item.get("kind"), item.get("label")
        if kind == EvidenceKind.DIAGNOSTIC.value:
            command = " ".join(item.get("command") or ())
            host = f" on {item['host']}" if item.get("host") else ""
            lines.append(f"- Diagnostic `{command}`{host}: exit {item.get('exit_code')}")
            text = str(item.get("output") or "").splitlines()[:MAX_OUTPUT_LINES]
            outputs += ["", f"Output of `{command}`:", "", "```", *text, "```"]
            continue
        value = item.get("value")
        shown = (
            "" if value is None else f": {value}" + (f" {item['unit']}" if item.get("unit") else "")
        )
        where = evidence_link(item)
        lines.append(f"- {label}{shown}" + (f" (`{where}`)" if where else ""))
    return lines + outputs


def _describe(h: LoggedHypothesis) -> str:
    what = f"{h.kind} in {h.service}" if h.kind and h.service else h.kind or h.service
    source = {"engine": "proposed by the engine", "memory": "from a past incident"}.get(
        h.source.value, f"proposed by {h.actor}"
    )
    if h.confidence is not None:
        source += f" (confidence {h.confidence:.2f})"
    return " · ".join(p for p in (what, source) if p)


def _root_cause(incident: Incident) -> str:
    blocks: list[str] = []
    for h in incident.confirmed:
        blocks += [f"**{h.id}: {h.statement}**", "", f"{_describe(h)}; {_settled(h)}."]
        if h.note:
            blocks += ["", f"Note: {h.note}"]
        if h.evidence:
            blocks += ["", "Evidence:", "", *_evidence(h.evidence)]
        blocks.append("")
    if not incident.confirmed:
        blocks += ["No hypothesis is confirmed yet.", ""]
    rejected = [h for h in incident.hypotheses if h.status == HypothesisStatus.REJECTED]
    if rejected:
        blocks += ["Ruled out:", ""]
        blocks += [f"- {h.id}: {h.statement} ({_settled(h)})" for h in rejected]
        blocks.append("")
    open_ = [
        h
        for h in incident.hypotheses
        if h.status in (HypothesisStatus.PROPOSED, HypothesisStatus.INVESTIGATING)
    ]
    if open_:
        blocks += ["Not settled:", ""]
        blocks += [f"- {h.id}: {h.statement} ({h.status})" for h in open_]
    return "\n".join(blocks).strip()


def _resolution(incident: Incident) -> str:
    done = [
        f"- {clock(c.time_ns)} UTC, {c.phase} ({c.actor}): {c.reason}"
        for c in incident.phases
        if c.phase in (Phase.STABILIZE, Phase.FIX) and c.reason
    ]
    suggested = [s for h in incident.confirmed for s in h.details.get("stabilize", ())][:2]
    immediate = done or [f"- What stopped the bleeding {FILL_IN}"]
    immediate += [f"- Suggested at the time: {s}" for s in suggested if not done]
    return "\n".join(
        [
            "### Immediate",
            "",
            *immediate,
            "",
            "### Short-term",
            "",
            f"- The fix of the root cause {FILL_IN}",
            "",
            "### Long-term",
            "",
            f"- What keeps this kind of fault from coming back {FILL_IN}",
        ]
    )


def _action_items(incident: Incident, timeline: Sequence[TimelineEntry]) -> str:
    items: list[str] = []
    first = _first(timeline, TimelineKind.FIRST_ANOMALY, TimelineKind.ONSET)
    detected_ns, _ = _detection(incident, timeline)
    if first is not None and detected_ns - first.time_ns > _LATE_DETECTION_NS:
        series = first.evidence.get("series") or first.service or "the first signal"
        items.append(
            f"- [ ] Alert earlier on {series}: it moved at {clock(first.time_ns)} UTC,"
            f" {span(detected_ns - first.time_ns)} before detection"
        )
    for h in incident.confirmed:
        where = f"{h.kind} in {h.service}" if h.kind else h.statement
        items.append(f"- [ ] Fix the cause for good: {where} (owner {FILL_IN})")
        items += [f"- [ ] Add to the runbook: {d}" for d in h.details.get("diagnostics", ())[:2]]
    if incident.scope.services:
        items.append(
            f"- [ ] Share this post-mortem with the owners of {', '.join(incident.scope.services)}"
        )
    return "\n".join(items or [f"- [ ] {FILL_IN}"])


def _lessons(incident: Incident, timeline: Sequence[TimelineEntry]) -> str:
    start = incident.onset_ns or incident.start_ns
    detected_ns, _ = _detection(incident, timeline)
    settled = [
        c.time_ns
        for h in incident.confirmed
        for c in h.history
        if c.status == HypothesisStatus.CONFIRMED
    ]
    rejected = sum(h.status == HypothesisStatus.REJECTED for h in incident.hypotheses)
    figures = f"- Figures: detected {span(max(0, detected_ns - start))} after the onset"
    if settled:
        figures += f"; root cause confirmed {span(min(settled) - incident.opened_ns)} after opening"
    figures += f"; {len(incident.hypotheses)} hypotheses logged, {rejected} rejected."
    return "\n".join(
        [
            f"- **What went well:** {FILL_IN}",
            f"- **What went badly:** {FILL_IN}",
            f"- **Where we got lucky:** {FILL_IN}",
            figures,
        ]
    )


def generated_sections(incident: Incident, timeline: Sequence[TimelineEntry]) -> dict[str, str]:
    """Each section's text as the record gives it, before any edit."""
    return {
        "summary": _summary(incident, timeline),
        "timeline": _timeline(incident, timeline),
        "root_cause": _root_cause(incident),
        "resolution": _resolution(incident),
        "action_items": _action_items(incident, timeline),
        "lessons": _lessons(incident, timeline),
    }


def postmortem_sections(incident: Incident, timeline: Sequence[TimelineEntry]) -> dict[str, str]:
    """Each section's text: a person's edit where there is one, else the generated text."""
    return {**generated_sections(incident, timeline), **incident.postmortem_edits}


def _header(incident: Incident) -> str:
    closed = f" · closed {clock(incident.closed_ns)} UTC" if incident.closed_ns else ""
    return (
        f"# Post-mortem: {incident.id}: {incident.title}\n\n"
        f"{incident.severity} · {incident.phase} · commander"
        f" {incident.commander or 'not named'} · opened {clock(incident.opened_ns)} UTC by"
        f" {incident.opened_by}{closed}\n\n"
        "_Blameless: this describes what the systems did and what people knew when they"
        " decided, not who is to blame._\n"
    )


def postmortem_markdown(incident: Incident, timeline: Sequence[TimelineEntry]) -> str:
    sections = postmortem_sections(incident, timeline)
    body = "".join(f"\n## {title}\n\n{sections[key].strip()}\n" for key, title in SECTIONS.items())
    return _header(incident) + body


def postmortem_html(incident: Incident, timeline: Sequence[TimelineEntry]) -> str:
    return markdown_to_html(
        postmortem_markdown(incident, timeline), title=f"Post-mortem {incident.id}"
    )


def sections_from_markdown(markdown: str) -> dict[str, str]:
    """The sections of a post-mortem document, by their `## ` headings."""
    by_title = {title.lower(): key for key, title in SECTIONS.items()}
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in markdown.splitlines():
        if line.startswith("## ") and line[3:].strip().lower() in by_title:
            current = found.setdefault(by_title[line[3:].strip().lower()], [])
        elif current is not None:
            current.append(line)
    return {key: "\n".join(lines).strip() for key, lines in found.items()}


def edits_from_markdown(
    incident: Incident, timeline: Sequence[TimelineEntry], markdown: str
) -> dict[str, str]:
    """The section edits a changed document holds: text unlike the generated one is kept;
    an edited section put back to the generated text is given back to the data ("").

    The timeline always follows the record (add a note to add to it), so the document's copy
    of it, which may be older than the record, is not read.
    """
    generated = generated_sections(incident, timeline)
    edits: dict[str, str] = {}
    for key, text in sections_from_markdown(markdown).items():
        if key == "timeline":
            continue
        if text != generated[key].strip():
            edits[key] = text
        elif key in incident.postmortem_edits:
            edits[key] = ""
    return edits
