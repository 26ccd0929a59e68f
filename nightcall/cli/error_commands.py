"""`nightcall errors` and `nightcall errors show ID`: error events from a terminal.

Each prints a table, or with `--json` exactly what the API answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import RenderableType

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
from nightcall.cli.render import error_event_view, errors_table, make_console

errors_app = typer.Typer(
    help="Error events from Sentry SDKs: list them by filter, or show one whole.",
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
    render: Callable[[Any], RenderableType],
) -> None:
    settings, _ = resolve_settings(config, data_dir=data_dir)
    with open_backend(settings, url, key) as backend:
        answer = backend.get(path, params)
    if json_output:
        typer.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    else:
        make_console().print(render(answer))


@errors_app.callback()
def errors(
    ctx: typer.Context,
    service: Annotated[str | None, typer.Option(help="Service name.")] = None,
    release: Annotated[str | None, typer.Option(help="Release, as the SDK sent it.")] = None,
    environment: Annotated[str | None, typer.Option(help="Environment.")] = None,
    level: Annotated[str | None, typer.Option(help="debug, info, warning, error, fatal.")] = None,
    tag: Annotated[list[str] | None, typer.Option(help="key:value; repeatable.")] = None,
    device: Annotated[str | None, typer.Option(help="Device model.")] = None,
    os: Annotated[str | None, typer.Option("--os", help="OS name, or 'name version'.")] = None,
    q: Annotated[str | None, typer.Option("--q", "-q", help="Text in the exception.")] = None,
    start: StartOption = None,
    end: EndOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Most events.")] = 50,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Error events matching the filters, newest first (default: the last 24 hours)."""
    if ctx.invoked_subcommand is not None:
        return
    params = {"service": service, "release": release, "environment": environment,
              "level": level, "tag": tag or None, "device": device, "os": os, "q": q,
              "start": relative_start(start), "end": end, "limit": limit}  # fmt: skip
    _print("/api/v1/errors/events", params, config=config, data_dir=data_dir, url=url, key=key,
           json_output=json_output, render=lambda a: errors_table(a["events"]))  # fmt: skip


@errors_app.command("show")
def show(
    event_id: Annotated[str, typer.Argument(metavar="ID", help="The event id (32 hex digits).")],
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """One event with its exception chain, every frame and every breadcrumb."""
    _print(f"/api/v1/errors/events/{event_id}", {}, config=config, data_dir=data_dir, url=url,
           key=key, json_output=json_output, render=error_event_view)  # fmt: skip
