"""`nightcall postmortem INCIDENT`: the blameless post-mortem, as Markdown or HTML.

`--edit FILE` reads a rendered post-mortem a person edited and keeps the sections they changed
(the server compares them with what the record gives); `--section S --text T` sets one. Kept
sections survive every later render; the others follow the incident's record.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer

from nightcall.cli.client import open_backend
from nightcall.cli.incident_common import ActorOption, IdArgument, actor_name, incident_path
from nightcall.cli.options import (
    ConfigOption,
    DataDirOption,
    JsonOption,
    KeyOption,
    UrlOption,
    resolve_settings,
)
from nightcall.errors import UserError
from nightcall.incidents.markdown_html import markdown_to_html


class DocumentFormat(StrEnum):
    MARKDOWN = "markdown"
    HTML = "html"


def register_postmortem_command(app: typer.Typer) -> None:
    """Add `postmortem` to `app`."""

    @app.command()
    def postmortem(
        incident: IdArgument,
        output_format: Annotated[
            DocumentFormat, typer.Option("--format", help="markdown or html.")
        ] = DocumentFormat.MARKDOWN,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write to this file.")
        ] = None,
        edit: Annotated[
            Path | None,
            typer.Option("--edit", help="A rendered post-mortem you edited: keep your sections."),
        ] = None,
        section: Annotated[str | None, typer.Option(help="Set one section's text.")] = None,
        text: Annotated[str | None, typer.Option(help="The text for --section.")] = None,
        actor: ActorOption = None,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """The incident's blameless post-mortem; edited sections are kept across renders."""
        if (section is None) != (text is None):
            raise UserError("--section and --text go together", location="--section",
                            hint="e.g. --section lessons --text '- ...'")  # fmt: skip
        body: dict[str, Any] | None = None
        if edit is not None:
            body = {"markdown": edit.read_text(), "actor": actor_name(actor)}
        elif section is not None:
            body = {"sections": {section: text}, "actor": actor_name(actor)}
        settings, _ = resolve_settings(config, data_dir=data_dir)
        with open_backend(settings, url, key) as backend:
            if body is not None:
                backend.send("PUT", incident_path(incident, "postmortem"), body)
            answer = backend.get(incident_path(incident, "postmortem"), {"format": "json"})
        if json_output:
            typer.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
            return
        document = answer["markdown"]
        if output_format == DocumentFormat.HTML:
            document = markdown_to_html(document, title=f"Post-mortem {answer['incident']}")
        if output is not None:
            output.write_text(document)
            typer.echo(f"wrote {output}", err=True)
        else:
            typer.echo(document, nl=False)
