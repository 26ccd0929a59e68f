"""`nightcall report`: a debug report of a window, as text, Markdown, HTML or JSON."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
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
from nightcall.cli.report.build import build_report
from nightcall.cli.report.fetch import fetch_report_inputs, resolve_window
from nightcall.cli.report.format import duration, short_time
from nightcall.cli.report.model import Report
from nightcall.cli.report.page import render_html
from nightcall.cli.report.text import render_markdown, render_text
from nightcall.errors import UserError


class ReportFormat(StrEnum):
    """What `nightcall report` writes."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


SUFFIXES = {".md": ReportFormat.MARKDOWN, ".markdown": ReportFormat.MARKDOWN,
            ".html": ReportFormat.HTML, ".htm": ReportFormat.HTML,
            ".json": ReportFormat.JSON}  # fmt: skip


def _json(report: Report) -> str:
    return orjson.dumps(report, option=orjson.OPT_INDENT_2).decode() + "\n"


RENDERERS: dict[ReportFormat, Callable[[Report], str]] = {
    ReportFormat.TEXT: render_text,
    ReportFormat.MARKDOWN: render_markdown,
    ReportFormat.HTML: render_html,
    ReportFormat.JSON: _json,
}


def chosen_format(output: ReportFormat | None, out: Path | None, json_output: bool) -> ReportFormat:
    """--json, else --format, else what --out's suffix says, else text."""
    if json_output:
        return ReportFormat.JSON
    if output is not None:
        return output
    return SUFFIXES.get(out.suffix.lower(), ReportFormat.TEXT) if out else ReportFormat.TEXT


def register_report_command(app: typer.Typer) -> None:
    """Add `report` to `app`."""

    @app.command()
    def report(
        start: StartOption = None,
        end: EndOption = None,
        output: Annotated[
            ReportFormat | None,
            typer.Option(
                "--format",
                help="text, markdown, html (charts) or json; default: "
                "from --out's suffix, else text.",
                show_default=False,
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out", help="Write to this file instead of printing.", show_default=False
            ),
        ] = None,
        points: Annotated[
            int, typer.Option(min=8, max=240, help="Steps the window is cut into for the series.")
        ] = 48,
        json_output: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
    ) -> None:
        """A debug report of a window (default: the last 24 hours): events and metrics per
        service, anomalies, hypotheses with first steps, error groups and recommendations."""
        kind = chosen_format(output, out, json_output)
        if out is not None and not out.parent.is_dir():  # say so before a long fetch, not after
            raise UserError(
                f"cannot write the report to {out}: no such directory",
                location="--out",
                hint=f"create {out.parent} first, or pass a path in an existing directory",
            )
        settings, _ = resolve_settings(config, data_dir=data_dir)
        with open_backend(settings, url, key) as backend:
            start_ns, end_ns = resolve_window(backend, relative_start(start) or "-24h", end)
            inputs = fetch_report_inputs(backend, start_ns, end_ns, points=points)
        rendered = RENDERERS[kind](build_report(inputs, generated_ns=time.time_ns()))
        if out is None:
            typer.echo(rendered, nl=False)
            return
        try:
            out.write_text(rendered, encoding="utf-8")
        except OSError as exc:
            raise UserError(
                f"cannot write the report to {out}: {exc.strerror}",
                location="--out",
                hint="pass a path in a directory you can write to, or leave --out out to print",
            ) from None
        typer.echo(
            f"wrote the {kind} report of {short_time(start_ns)} to {short_time(end_ns)} "
            f"({duration((end_ns - start_ns) / 1e9)}) to {out}",
            err=True,
        )
