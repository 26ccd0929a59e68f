"""`nightcall alerts`: the rules in force, alerts now and recently, silences, deliveries.

- `nightcall alerts rules` lists the rules (from nightcall.toml and the API); `--delete NAME`
  deletes one made through the API.
- `nightcall alerts list` shows pending and firing alerts and the recent events.
- `nightcall alerts silence` lists silences; `--match service=checkout --duration 2h` creates
  one, `--delete ID` deletes one.
- `nightcall alerts deliveries` lists every delivery attempt, with the receiver's answer.

Each prints a table, or with `--json` exactly what the API answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import RenderableType

from nightcall.cli.client import Backend, open_backend
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
from nightcall.cli.render import make_console
from nightcall.cli.render_alerts import alerts_view, deliveries_view, rules_table, silences_table
from nightcall.errors import UserError

alerts_app = typer.Typer(
    help="Alerts: rules, what fires now, silences, delivery attempts.", no_args_is_help=True
)
_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _run(
    config: Path | None,
    data_dir: Path | None,
    url: str | None,
    key: str | None,
    json_output: bool,
    call: Callable[[Backend], Any],
    render: Callable[[Any], RenderableType],
) -> None:
    settings, _ = resolve_settings(config, data_dir=data_dir)
    with open_backend(settings, url, key) as backend:
        answer = call(backend)
    if json_output:
        typer.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
    else:
        make_console().print(render(answer))


@alerts_app.command("rules")
def rules(
    delete: Annotated[
        str | None, typer.Option("--delete", help="Delete this API-made rule.", show_default=False)
    ] = None,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """List the alert rules in force (or delete one made through the API)."""
    if delete:
        _run(
            config,
            data_dir,
            url,
            key,
            json_output,
            lambda b: b.send("DELETE", f"/api/v1/alerts/rules/{delete}"),
            lambda a: f"deleted the alert rule {a['name']}",
        )
        return
    _run(
        config,
        data_dir,
        url,
        key,
        json_output,
        lambda b: b.get("/api/v1/alerts/rules"),
        rules_table,
    )


@alerts_app.command("list")
def list_alerts(
    rule: Annotated[str | None, typer.Option(help="Only this rule's alerts.")] = None,
    start: StartOption = None,
    end: EndOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Most events.")] = 50,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Pending and firing alerts now, and the events of the window (default: the last day)."""
    params = {"rule": rule, "start": relative_start(start) or "-24h", "end": end, "limit": limit}
    _run(
        config,
        data_dir,
        url,
        key,
        json_output,
        lambda b: b.get("/api/v1/alerts", params),
        alerts_view,
    )


def duration_s(text: str) -> float:
    """Seconds in `90m`, `2h`, `1d12h` or a bare number of seconds."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise UserError(
            f"cannot read {text!r} as a duration",
            location="--duration",
            hint="write it like 90m, 2h, 1d12h, or a number of seconds",
        )
    return sum(float(number) * _UNIT_S[unit] for number, unit in parts)


def _matchers(pairs: list[str]) -> list[dict[str, str]]:
    found = []
    for pair in pairs:
        matched = re.fullmatch(r"([^=!~]+)(=~|!~|!=|=)(.*)", pair)
        if not matched:
            raise UserError(
                f"cannot read the matcher {pair!r}",
                location="--match",
                hint="write label=value, label!=value, label=~regex or label!~regex",
            )
        found.append({"label": matched[1], "op": matched[2], "value": matched[3]})
    return found


@alerts_app.command("silence")
def silence(
    match: Annotated[
        list[str] | None,
        typer.Option(
            "--match", help="label=value (also !=, =~, !~); repeat for more.", show_default=False
        ),
    ] = None,
    duration: Annotated[str, typer.Option(help="How long: 90m, 2h, 1d.")] = "2h",
    comment: Annotated[str, typer.Option(help="Why.")] = "",
    created_by: Annotated[str, typer.Option("--by", help="Who.")] = "",
    delete: Annotated[
        str | None, typer.Option("--delete", help="Delete this silence.", show_default=False)
    ] = None,
    expired: Annotated[bool, typer.Option("--expired", help="List expired ones too.")] = False,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """List silences; with --match, create one; with --delete, delete one."""
    if delete:
        _run(
            config,
            data_dir,
            url,
            key,
            json_output,
            lambda b: b.send("DELETE", f"/api/v1/alerts/silences/{delete}"),
            lambda a: f"deleted the silence {a['id']}",
        )
        return
    if match:
        body = {
            "matchers": _matchers(match),
            "duration_s": duration_s(duration),
            "comment": comment,
            "created_by": created_by,
        }
        _run(
            config,
            data_dir,
            url,
            key,
            json_output,
            lambda b: b.send("POST", "/api/v1/alerts/silences", body),
            lambda a: f"silence {a['id']} until {a['ends_at'][:19]}Z",
        )
        return
    params = {"expired": str(expired).lower()}
    _run(
        config,
        data_dir,
        url,
        key,
        json_output,
        lambda b: b.get("/api/v1/alerts/silences", params),
        silences_table,
    )


@alerts_app.command("deliveries")
def deliveries(
    receiver: Annotated[str | None, typer.Option(help="Only this receiver's attempts.")] = None,
    start: StartOption = None,
    end: EndOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Most attempts.")] = 50,
    json_output: JsonOption = False,
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    url: UrlOption = None,
    key: KeyOption = None,
) -> None:
    """Every delivery attempt of the window (default: the last day), newest first."""
    params = {
        "receiver": receiver,
        "start": relative_start(start) or "-24h",
        "end": end,
        "limit": limit,
    }
    _run(
        config,
        data_dir,
        url,
        key,
        json_output,
        lambda b: b.get("/api/v1/alerts/deliveries", params),
        deliveries_view,
    )
