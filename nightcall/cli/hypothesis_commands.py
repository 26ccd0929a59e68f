"""`nightcall incident hypothesis`: the hypothesis log (H1, H2, ...) from the terminal.

`add` logs a person's hypothesis; `update` sets its status (rejecting or confirming needs
`--reason`), replaces its note or attaches evidence (`--evidence` JSON objects, repeatable);
`list` prints the log.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from nightcall.cli.client import Backend
from nightcall.cli.incident_common import (
    ActorOption,
    EvidenceOption,
    IdArgument,
    ReasonOption,
    Target,
    actor_name,
    evidence_objects,
    incident_path,
    post,
    run,
)
from nightcall.cli.options import ConfigOption, DataDirOption, JsonOption, KeyOption, UrlOption
from nightcall.cli.render_incidents import hypotheses_view

hypothesis_app = typer.Typer(help="The incident's hypothesis log (H1, H2, ...).",
                             no_args_is_help=True)  # fmt: skip


@hypothesis_app.command("add")
def hypothesis_add(
    incident: IdArgument,
    statement: Annotated[str, typer.Argument(help="The suspected cause, in a sentence.")],
    kind: Annotated[str, typer.Option(help="A hypothesis kind, e.g. slow_dependency.")] = "",
    service: Annotated[str, typer.Option(help="The service it blames.")] = "",
    evidence: EvidenceOption = None,
    note: Annotated[str, typer.Option(help="A note.")] = "",
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Log a hypothesis (it gets the next H-number, status proposed)."""
    body = {"statement": statement, "kind": kind, "service": service, "note": note,
            "evidence": evidence_objects(evidence), "actor": actor_name(actor)}  # fmt: skip
    post(Target(config, data_dir, url, key, json_output), incident, "hypotheses", body)


@hypothesis_app.command("update")
def hypothesis_update(
    incident: IdArgument,
    hypothesis: Annotated[str, typer.Argument(metavar="HYPOTHESIS", help="H1, or 1.")],
    status: Annotated[
        str | None, typer.Option(help="proposed, investigating, rejected, confirmed.")
    ] = None,
    reason: ReasonOption = "",
    note: Annotated[str | None, typer.Option(help="Replace the note.")] = None,
    evidence: EvidenceOption = None,
    actor: ActorOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Set a hypothesis' status (rejecting or confirming needs --reason), note or evidence."""
    body = {"status": status, "reason": reason, "note": note,
            "evidence": evidence_objects(evidence), "actor": actor_name(actor)}  # fmt: skip
    body = {k: v for k, v in body.items() if v is not None}
    path = incident_path(incident, "hypotheses", hypothesis.strip())
    run(Target(config, data_dir, url, key, json_output), lambda b: b.send("PATCH", path, body))


@hypothesis_app.command("list")
def hypothesis_list(
    incident: IdArgument,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """The hypothesis log with statuses, evidence and notes."""

    def call(backend: Backend) -> Any:
        return {"hypotheses": backend.get(incident_path(incident))["hypotheses"], "next": None}

    run(Target(config, data_dir, url, key, json_output), call, hypotheses_view)
