"""`nightcall incident`: open, list, show and run an incident from the terminal.

- `incident open TITLE` opens one about the last hour (or --start/--end) and diagnoses it;
  `list`, `show ID`, `timeline ID` and `similar ID` read; `phase ID PHASE`, `severity`,
  `commander`, `scope`, `note ID TEXT`, `refresh ID` and `close ID` change it.
- `incident hypothesis add|update|list` keeps the hypothesis log (see hypothesis_commands).

Each prints a table, or with `--json` exactly what the API answers. Who did it is `--actor`,
else $NIGHTCALL_ACTOR, else the login name.
"""

from __future__ import annotations

from typing import Annotated

import typer

from nightcall.cli.hypothesis_commands import hypothesis_app
from nightcall.cli.incident_common import (
    ActorOption,
    IdArgument,
    ReasonOption,
    Target,
    actor_name,
    incident_path,
    post,
    run,
)
from nightcall.cli.options import (
    ConfigOption,
    DataDirOption,
    EndOption,
    JsonOption,
    KeyOption,
    StartOption,
    UrlOption,
    relative_start,
)
from nightcall.cli.render_incidents import incidents_table, similar_table, timeline_table

incident_app = typer.Typer(
    help="Run incidents: open, list, show, phase, hypothesis, note, close.", no_args_is_help=True
)
incident_app.add_typer(hypothesis_app, name="hypothesis")


@incident_app.command("open")
def open_(
    title: Annotated[str, typer.Argument(help="What is wrong, in a line.")],
    severity: Annotated[str, typer.Option(help="P0 (worst) to P4.")] = "P3",
    commander: Annotated[str, typer.Option(help="Who leads the response.")] = "",
    service: Annotated[str | None, typer.Option(help="Diagnose this service first.")] = None,
    start: StartOption = None,
    end: EndOption = None,
    read_data: Annotated[
        bool, typer.Option("--read-data/--no-read-data", help="Diagnose the window now.")
    ] = True,
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Open an incident about the last hour (or --start/--end), diagnosed, hypotheses logged."""
    body = {"title": title, "severity": severity, "commander": commander, "service": service,
            "start": relative_start(start), "end": end, "read_data": read_data,
            "actor": actor_name(actor)}  # fmt: skip
    run(
        Target(config, data_dir, url, key, json_output),
        lambda b: b.send("POST", "/api/v1/incidents", body),
    )


@incident_app.command("list")
def list_(
    state: Annotated[str, typer.Option(help="open, closed or all.")] = "all",
    phase: Annotated[str | None, typer.Option(help="Only this phase.")] = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Incidents, newest first."""
    params = {"state": state, "phase": phase}
    run(
        Target(config, data_dir, url, key, json_output),
        lambda b: b.get("/api/v1/incidents", params),
        incidents_table,
    )


@incident_app.command("show")
def show(
    incident: IdArgument,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """One incident: phase, scope, the hypothesis log, notes, similar past incidents."""
    run(Target(config, data_dir, url, key, json_output), lambda b: b.get(incident_path(incident)))


@incident_app.command("timeline")
def timeline(
    incident: IdArgument,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """What the data shows and what people did, in order, with links to the evidence."""
    run(
        Target(config, data_dir, url, key, json_output),
        lambda b: b.get(incident_path(incident, "timeline")),
        timeline_table,
    )


@incident_app.command("similar")
def similar(
    incident: IdArgument,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Closed incidents that share this one's signals, with their confirmed causes."""
    run(
        Target(config, data_dir, url, key, json_output),
        lambda b: b.get(incident_path(incident, "similar")),
        similar_table,
    )


@incident_app.command("phase")
def phase(
    incident: IdArgument,
    to: Annotated[str, typer.Argument(metavar="PHASE", help="triage, stabilize, diagnose, ...")],
    reason: ReasonOption = "",
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Move the incident to the next phase of the protocol (with why)."""
    body = {"phase": to, "reason": reason, "actor": actor_name(actor)}
    post(Target(config, data_dir, url, key, json_output), incident, "phase", body)


@incident_app.command("severity")
def severity(
    incident: IdArgument,
    to: Annotated[str, typer.Argument(metavar="SEVERITY", help="P0 (worst) to P4.")],
    reason: ReasonOption = "",
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Change the severity."""
    body = {"severity": to, "reason": reason, "actor": actor_name(actor)}
    post(Target(config, data_dir, url, key, json_output), incident, "severity", body)


@incident_app.command("commander")
def commander(
    incident: IdArgument,
    name: Annotated[str, typer.Argument(help="Who leads the response now.")],
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Name the incident commander."""
    body = {"commander": name, "actor": actor_name(actor)}
    post(Target(config, data_dir, url, key, json_output), incident, "commander", body)


@incident_app.command("scope")
def scope(
    incident: IdArgument,
    service: Annotated[list[str] | None, typer.Option(help="Affected service; repeatable.")] = None,
    endpoint: Annotated[list[str] | None, typer.Option(help="'service: name'; repeatable.")] = None,
    user_count: Annotated[int | None, typer.Option(help="Users affected.")] = None,
    reason: ReasonOption = "",
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Set the scope by hand; what you set is kept when the data is read again."""
    body = {"services": service, "endpoints": endpoint, "user_count": user_count,
            "reason": reason, "actor": actor_name(actor)}  # fmt: skip
    body = {k: v for k, v in body.items() if v is not None}
    post(Target(config, data_dir, url, key, json_output), incident, "scope", body)


@incident_app.command("note")
def note(
    incident: IdArgument,
    text: Annotated[str, typer.Argument(help="What you saw or did.")],
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Write a note into the incident's record (and its timeline)."""
    body = {"text": text, "actor": actor_name(actor)}
    post(Target(config, data_dir, url, key, json_output), incident, "notes", body)


@incident_app.command("refresh")
def refresh(
    incident: IdArgument,
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Read the incident's data again: scope, timeline, new hypotheses, similar incidents."""
    post(
        Target(config, data_dir, url, key, json_output),
        incident,
        "refresh",
        {"actor": actor_name(actor)},
    )


@incident_app.command("close")
def close(
    incident: IdArgument,
    reason: ReasonOption = "",
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Close the incident (from fix, post-mortem, or as a false alarm from detect or triage)."""
    body = {"reason": reason, "actor": actor_name(actor)}
    post(Target(config, data_dir, url, key, json_output), incident, "close", body)
