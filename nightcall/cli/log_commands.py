"""`nightcall logs` and `nightcall logs templates`: log records and their templates.

`nightcall logs [filters]` lists records as it always has; `templates` is a subcommand of the
same group. Each prints a table, or with `--json` exactly what the API answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from nightcall.cli.client import open_backend
from nightcall.cli.options import (
    ConfigOption,
    DataDirOption,
    EndOption,
    JsonOption,
    KeyOption,
    StartOption,
    UrlOption,
    relative_start,
    resolve_settings,
)
from nightcall.cli.render import log_templates_table, logs_table, make_console

LimitOption = Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Most items.")]

logs_app = typer.Typer(
    help="Log records, newest first; `templates` lists the log templates of a window.",
    invoke_without_command=True,
)


def _print(
    path: str,
    params: Mapping[str, Any],
    *,
    config: Path | None,
    data_dir: Path | None,
    url: str | None,
    key: str | None,
    json_output: bool,
    render: Callable[[Any], Table],
) -> None:
    settings, _ = resolve_settings(config, data_dir=data_dir)
    with open_backend(settings, url, key) as backend:
        answer = backend.get(path, params)
    if json_output:
        typer.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    else:
        make_console().print(render(answer))


@logs_app.callback()
def logs(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option(help="Service name.")] = None,
    severity: Annotated[str | None, typer.Option(help="Floor: debug, info, warn...")] = None,
    q: Annotated[str | None, typer.Option("--q", "-q", help="Text in the body.")] = None,
    trace_id: Annotated[str | None, typer.Option(help="Records of one trace.")] = None,
    start: StartOption = None,
    end: EndOption = None,
    limit: LimitOption = 100,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Log records, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    params = {"service": service, "severity": severity, "q": q, "trace_id": trace_id,
              "start": relative_start(start), "end": end, "limit": limit}  # fmt: skip
    _print("/api/v1/logs", params, config=config, data_dir=data_dir, url=url, key=key,
           json_output=json_output, render=lambda a: logs_table(a["logs"]))  # fmt: skip


@logs_app.command("templates")
def templates(
    service: Annotated[str | None, typer.Option(help="Service name.")] = None,
    start: StartOption = None,
    end: EndOption = None,
    limit: LimitOption = 100,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Log templates with lines in the window, most lines first (default: the last hour)."""
    params = {"service": service, "start": relative_start(start), "end": end, "limit": limit}
    _print("/api/v1/logs/templates", params, config=config, data_dir=data_dir, url=url,
           key=key, json_output=json_output,
           render=lambda a: log_templates_table(a["templates"]))  # fmt: skip
