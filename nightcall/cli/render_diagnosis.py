"""Diagnoses for a terminal: ranked hypotheses with their evidence and first steps."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

MAX_EVIDENCE = 3
MAX_STEPS = 3


def _confidence_style(confidence: float) -> str:
    return "bold red" if confidence >= 0.7 else "yellow" if confidence >= 0.4 else "dim"


def _evidence_line(evidence: dict[str, Any]) -> str:
    """The evidence's own sentence, else `label: value unit`."""
    if evidence.get("detail"):
        return str(evidence["detail"])
    value = evidence.get("value")
    if value is None:
        return str(evidence["label"])
    return f"{evidence['label']}: {value} {evidence.get('unit', '')}".rstrip()


def hypotheses_view(answer: dict[str, Any]) -> RenderableType:
    """The answer of /api/v1/hypotheses as panels, best first, and the candidates' table."""
    hypotheses = answer.get("hypotheses", [])
    window = answer.get("window", {})
    header = Text(
        f"Window {window.get('start', '?')} to {window.get('end', '?')}"
        f" ({answer.get('series', 0)} series); onset {answer.get('onset') or 'none found'}"
    )
    if not hypotheses:
        return Group(header, Text("No hypothesis: no series moved enough to single out a cause."))
    parts: list[RenderableType] = [header]
    for item in hypotheses:
        body = Text()
        body.append(item["statement"] + "\n")
        if item.get("impact"):
            body.append(f"Impact: {item['impact']}\n", style="dim")
        body.append("Evidence\n", style="bold")
        for evidence in item["evidence"][:MAX_EVIDENCE]:
            body.append(f"  - {_evidence_line(evidence)}\n")
        body.append("Next steps\n", style="bold")
        for number, step in enumerate(item["steps"][:MAX_STEPS], 1):
            body.append(f"  {number}. {step}\n")
        if item.get("stabilize"):
            body.append(f"Stabilize: {item['stabilize'][0]}\n", style="green")
        title = Text.assemble(
            (f"#{item['rank']} ", "bold"),
            (f"{item['kind']} ", "bold cyan"),
            (f"in {item['service']} ", "bold"),
            (f"confidence {item['confidence']:.2f}", _confidence_style(item["confidence"])),
        )
        parts.append(Panel(body, title=title, title_align="left"))
    table = Table(title="Candidate root-cause services", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("service")
    table.add_column("score", justify="right")
    table.add_column("strongest signal")
    for candidate in answer.get("candidates", [])[:5]:
        signal = candidate["signals"][0]["series"] if candidate["signals"] else ""
        table.add_row(str(candidate["rank"]), candidate["service"],
                      f"{candidate['score']:.1f}", signal)  # fmt: skip
    parts.append(table)
    return Group(*parts)


def openrca_records(answer: dict[str, Any], *, limit: int = 1) -> list[dict[str, str]]:
    """The top hypotheses as OpenRCA's `{datetime, component, reason}` records."""
    records = []
    for item in answer.get("hypotheses", [])[:limit]:
        onset = str(item.get("onset") or "")
        records.append(
            {
                "datetime": onset.replace("T", " ").split(".")[0].removesuffix("Z"),
                "component": item["service"],
                "reason": item["kind"].replace("_", " "),
            }
        )
    return records
