"""Incidents for a terminal: the list, one incident with its hypothesis log, the timeline."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

_STATUS_STYLE = {
    "proposed": "dim",
    "investigating": "yellow",
    "rejected": "red",
    "confirmed": "bold green",
}
_SEVERITY_STYLE = {"P0": "bold red", "P1": "red", "P2": "yellow", "P3": "", "P4": "dim"}
MAX_EVIDENCE = 4


def _when(text: str | None) -> str:
    return "-" if not text else text[:19].replace("T", " ")


def incidents_table(answer: dict[str, Any]) -> RenderableType:
    """The answer of GET /api/v1/incidents."""
    incidents = answer.get("incidents", [])
    if not incidents:
        return Text("No incidents. Open one with `nightcall incident open TITLE`.")
    table = Table(title="Incidents", title_justify="left", header_style="bold")
    for header in ("id", "sev", "phase", "title", "opened (UTC)", "commander", "root cause"):
        table.add_column(header, no_wrap=header in ("id", "opened (UTC)"))
    for item in incidents:
        table.add_row(
            item["id"],
            Text(item["severity"], style=_SEVERITY_STYLE.get(item["severity"], "")),
            item["phase"],
            item["title"],
            _when(item["opened"]),
            item["commander"] or "-",
            item["root_cause"] or "-",
        )
    return table


def _hypothesis(item: dict[str, Any]) -> RenderableType:
    body = Text()
    body.append(item["statement"] + "\n")
    if item.get("origin") and item["source"] == "memory":
        body.append(f"From {item['origin'].get('incident')}\n", style="cyan")
    for evidence in item["evidence"][:MAX_EVIDENCE]:
        label = evidence.get("label")
        if evidence.get("kind") == "diagnostic":
            command = " ".join(evidence.get("command") or ())
            body.append(f"  - diagnostic `{command}` exit {evidence.get('exit_code')}\n")
        else:
            value = evidence.get("value")
            shown = "" if value is None else f": {value} {evidence.get('unit') or ''}".rstrip()
            body.append(f"  - {label}{shown}\n")
    if len(item["evidence"]) > MAX_EVIDENCE:
        body.append(f"  ({len(item['evidence']) - MAX_EVIDENCE} more)\n", style="dim")
    last = item["history"][-1] if item["history"] else {}
    if last.get("reason"):
        body.append(f"{item['status']} by {last['actor']}: {last['reason']}\n")
    if item.get("note"):
        body.append(f"Note: {item['note']}\n", style="italic")
    where = " in ".join(p for p in (item.get("kind"), item.get("service")) if p)
    confidence = f" {item['confidence']:.2f}" if item.get("confidence") is not None else ""
    title = Text.assemble(
        (f"{item['id']} ", "bold"),
        (item["status"].upper(), _STATUS_STYLE.get(item["status"], "")),
        (f"  {where}" if where else "", "cyan"),
        (f"  {item['source']}{confidence}", "dim"),
    )
    return Panel(body, title=title, title_align="left")


def hypotheses_view(answer: dict[str, Any]) -> RenderableType:
    """The hypothesis log: one panel per hypothesis, H1 first."""
    hypotheses = answer.get("hypotheses", [])
    if not hypotheses:
        return Text("No hypotheses yet: `nightcall incident hypothesis add`.", style="dim")
    return Group(*(_hypothesis(h) for h in hypotheses))


def incident_view(item: dict[str, Any]) -> RenderableType:
    """The answer of GET /api/v1/incidents/{id}."""
    scope = item["scope"]
    head = Text()
    head.append(f"{item['id']} ", style="bold")
    head.append(item["severity"] + " ", style=_SEVERITY_STYLE.get(item["severity"], ""))
    head.append(f"{item['title']}\n", style="bold")
    head.append(f"Phase {item['phase']}: {item['phase_goal']}; next: "
                f"{', '.join(item['next_phases'])}\n")  # fmt: skip
    head.append(f"Commander {item['commander'] or 'not named'}; opened {_when(item['opened'])}"
                f" by {item['opened_by']}; onset {_when(item['onset'])};"
                f" recovery {_when(item['recovery'])}\n")  # fmt: skip
    head.append(f"Services: {', '.join(scope['services']) or '-'}\n")
    if scope["endpoints"]:
        head.append(f"Endpoints: {', '.join(scope['endpoints'])}\n")
    if scope["user_count"] or scope["device_count"]:
        head.append(f"Users: {scope['user_count']}; devices: {scope['device_count']}\n")
    parts: list[RenderableType] = [head, hypotheses_view(item)]
    for note in item["notes"][-5:]:
        parts.append(Text(f"{_when(note['time'])} {note['actor']}: {note['text']}"))
    for match in item.get("similar", []):
        causes = "; ".join(c["statement"] for c in match["root_causes"]) or "no confirmed cause"
        parts.append(Text(f"Seen before: {match['incident']} ({match['title']}), similarity"
                          f" {match['similarity']:.2f}: {causes}", style="cyan"))  # fmt: skip
    return Group(*parts)


def timeline_table(answer: dict[str, Any]) -> RenderableType:
    """The answer of GET /api/v1/incidents/{id}/timeline."""
    table = Table(title="Timeline", title_justify="left", header_style="bold")
    for header in ("time (UTC)", "what", "who / where", "evidence"):
        table.add_column(header, no_wrap=header == "time (UTC)")
    for entry in answer.get("timeline", []):
        table.add_row(
            _when(entry["time"]),
            Text(entry["title"], style="dim" if entry["source"] == "incident" else ""),
            entry.get("actor") or entry.get("service") or "",
            entry.get("link") or "",
        )
    return table


def similar_table(answer: dict[str, Any]) -> RenderableType:
    """The answer of GET /api/v1/incidents/{id}/similar."""
    matches = answer.get("similar", [])
    if not matches:
        return Text("No closed incident shares enough of this one's signals.")
    table = Table(title="Similar closed incidents", title_justify="left", header_style="bold")
    for header in ("incident", "similarity", "root cause", "settled by", "shared"):
        table.add_column(header)
    for match in matches:
        causes = match["root_causes"]
        table.add_row(
            f"{match['incident']}: {match['title']}",
            f"{match['similarity']:.2f}",
            "; ".join(c["statement"] for c in causes) or "-",
            "; ".join(s for c in causes for s in c["settled_by"][:2]) or "-",
            ", ".join(f"{k} {len(v)}" for k, v in match["shared"].items()),
        )
    return table
