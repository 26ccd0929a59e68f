"""`nightcall diagnose`: what is most likely wrong in a window, and what to check next."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import orjson
import typer

from nightcall.cli.client import open_backend
from nightcall.cli.options import (
    ConfigOption,
    DataDirOption,
    EndOption,
    KeyOption,
    StartOption,
    UrlOption,
    relative_start,
    resolve_settings,
)
from nightcall.cli.render import make_console
from nightcall.cli.render_diagnosis import hypotheses_view, openrca_records


class DiagnoseFormat(StrEnum):
    """How `nightcall diagnose` prints its answer."""

    TEXT = "text"
    JSON = "json"
    OPENRCA = "openrca"


def register_diagnose_command(app: typer.Typer) -> None:
    """Add `diagnose` to `app`."""

    @app.command()
    def diagnose(
        service: Annotated[
            str | None, typer.Option(help="Only this service and what it calls.")
        ] = None,
        start: StartOption = None,
        end: EndOption = None,
        limit: Annotated[int, typer.Option(min=1, max=100, help="Most hypotheses.")] = 5,
        output: Annotated[
            DiagnoseFormat,
            typer.Option("--format", help="text; json (the API's answer); openrca records."),
        ] = DiagnoseFormat.TEXT,
        json_output: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
    ) -> None:
        """Rank the likely root causes of a window (default: the last hour), with evidence."""
        settings, _ = resolve_settings(config, data_dir=data_dir)
        params = {"service": service, "start": relative_start(start) or "-1h", "end": end,
                  "limit": limit}  # fmt: skip
        with open_backend(settings, url, key) as backend:
            answer = backend.get("/api/v1/hypotheses", params)
        if json_output or output == DiagnoseFormat.JSON:
            typer.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
        elif output == DiagnoseFormat.OPENRCA:
            records = openrca_records(answer, limit=1)
            typer.echo(orjson.dumps(records, option=orjson.OPT_INDENT_2).decode())
        else:
            make_console().print(hypotheses_view(answer))
