"""`nightcall errors`: error groups, one group, release health, and the events themselves.

- `nightcall errors` lists the window's error groups (title, events, users, first and last
  seen, new and regression flags); `nightcall errors show FINGERPRINT` shows one group.
- `nightcall errors releases` lists each release's events, groups and crash-free rate.
- `nightcall errors events` lists events by filter; `nightcall errors event ID` shows one.

Each prints a table, or with `--json` exactly what the API answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import RenderableType

from nightcall.analysis.errors import GroupSort
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
from nightcall.cli.render_error_groups import error_group_view, error_groups_table, releases_table

errors_app = typer.Typer(
    help="Errors from Sentry SDKs: groups (default), one group, releases, events.",
    invoke_without_command=True,
)

ServiceOption = Annotated[str | None, typer.Option(help="Service name.")]
ReleaseOption = Annotated[str | None, typer.Option(help="Release, as the SDK sent it.")]
EnvironmentOption = Annotated[str | None, typer.Option(help="Environment.")]


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
    service: ServiceOption = None,
    release: ReleaseOption = None,
    environment: EnvironmentOption = None,
    sort: Annotated[
        GroupSort, typer.Option(help="count: most events first; last_seen, first_seen: latest.")
    ] = GroupSort.COUNT,
    start: StartOption = None,
    end: EndOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Most groups.")] = 50,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Error groups in the window, most events first (default: the last 24 hours)."""
    if ctx.invoked_subcommand is not None:
        return
    params = {"service": service, "release": release, "environment": environment,
              "sort": sort.value, "start": relative_start(start), "end": end,
              "limit": limit}  # fmt: skip
    _print("/api/v1/errors", params, config=config, data_dir=data_dir, url=url, key=key,
           json_output=json_output, render=error_groups_table)  # fmt: skip


@errors_app.command("show")
def show(
    fingerprint: Annotated[
        str, typer.Argument(metavar="FINGERPRINT", help="The group's fingerprint (32 hex digits).")
    ],
    service: ServiceOption = None,
    release: ReleaseOption = None,
    environment: EnvironmentOption = None,
    start: StartOption = None,
    end: EndOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """One error group: culprit, reach, trend, breadcrumbs, tag values and latest events."""
    params = {"service": service, "release": release, "environment": environment,
              "start": relative_start(start), "end": end}  # fmt: skip
    _print(f"/api/v1/errors/{fingerprint}", params, config=config, data_dir=data_dir, url=url,
           key=key, json_output=json_output, render=error_group_view)  # fmt: skip


@errors_app.command("releases")
def releases(
    service: ServiceOption = None,
    environment: EnvironmentOption = None,
    start: StartOption = None,
    end: EndOption = None,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
    json_output: JsonOption = False,
) -> None:
    """Per release: events, error groups, new groups, users and crash-free sessions."""
    params = {"service": service, "environment": environment, "start": relative_start(start),
              "end": end}  # fmt: skip
    _print("/api/v1/errors/releases", params, config=config, data_dir=data_dir, url=url,
           key=key, json_output=json_output, render=releases_table)  # fmt: skip


@errors_app.command("events")
def events(
    service: ServiceOption = None,
    release: ReleaseOption = None,
    environment: EnvironmentOption = None,
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
    params = {"service": service, "release": release, "environment": environment,
              "level": level, "tag": tag or None, "device": device, "os": os, "q": q,
              "start": relative_start(start), "end": end, "limit": limit}  # fmt: skip
    _print("/api/v1/errors/events", params, config=config, data_dir=data_dir, url=url, key=key,
           json_output=json_output, render=lambda a: errors_table(a["events"]))  # fmt: skip


@errors_app.command("event")
def event(
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
