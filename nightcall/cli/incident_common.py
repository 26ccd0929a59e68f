"""What the incident commands share: where requests go, who acts, evidence from flags."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import RenderableType

from nightcall.cli.client import Backend, open_backend
from nightcall.cli.options import resolve_settings
from nightcall.cli.render import make_console
from nightcall.cli.render_incidents import incident_view
from nightcall.errors import UserError

IdArgument = Annotated[str, typer.Argument(metavar="INCIDENT", help="INC-3, or 3.")]
ActorOption = Annotated[
    str | None,
    typer.Option("--actor", envvar="NIGHTCALL_ACTOR", help="Who does this (default: login).",
                 show_default=False),
]  # fmt: skip
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (kept in the record).")]
EvidenceOption = Annotated[
    list[str] | None,
    typer.Option("--evidence", help='A JSON object: {"kind": "query", "label": ..., ...}.'),
]


def actor_name(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli"


def evidence_objects(items: list[str] | None) -> list[dict[str, Any]]:
    found = []
    for text in items or []:
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            value = None
        if not isinstance(value, dict):
            raise UserError(f"--evidence {text!r} is not a JSON object", location="--evidence",
                            hint='e.g. --evidence \'{"kind": "trace", "label": "slow trace", '
                                 '"trace_id": "4bf9..."}\'')  # fmt: skip
        found.append(value)
    return found


@dataclass(frozen=True, slots=True)
class Target:
    """Where a command's request goes, and how its answer is printed."""

    config: Path | None
    data_dir: Path | None
    url: str | None
    key: str | None
    json_output: bool


def run(
    target: Target,
    call: Callable[[Backend], Any],
    render: Callable[[Any], RenderableType] = incident_view,
) -> None:
    settings, _ = resolve_settings(target.config, data_dir=target.data_dir)
    with open_backend(settings, target.url, target.key) as backend:
        answer = call(backend)
    if target.json_output:
        typer.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    else:
        make_console().print(render(answer))


def incident_path(incident: str, *parts: str) -> str:
    return "/".join(["/api/v1/incidents", incident.strip(), *parts])


def post(target: Target, incident: str, what: str, body: dict[str, Any]) -> None:
    """POST `body` to the incident's `what` route and print the incident it answers."""
    run(target, lambda b: b.send("POST", incident_path(incident, what), body))
