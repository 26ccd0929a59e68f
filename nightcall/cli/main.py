"""The `nightcall` command: `serve`, the query commands, `keys` and `config`.

Every command that prints results has `--json`; errors print what happened and what to do, and
exit with status 2 (the caller can fix it) or 1 (anything else).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from nightcall.cli.alert_commands import alerts_app
from nightcall.cli.collect_commands import register_collect_command
from nightcall.cli.demo_commands import demo_app
from nightcall.cli.diagnose_commands import register_diagnose_command
from nightcall.cli.diagnostics_commands import diagnostics_app
from nightcall.cli.error_commands import errors_app
from nightcall.cli.incident_commands import incident_app
from nightcall.cli.keys_commands import keys_app
from nightcall.cli.options import ConfigOption, DataDirOption, resolve_settings
from nightcall.cli.postmortem_command import register_postmortem_command
from nightcall.cli.query_commands import register_query_commands
from nightcall.cli.report import register_report_command
from nightcall.errors import NightcallError, UserError

app = typer.Typer(
    name="nightcall",
    help="Production debugging: telemetry in, causes out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(help="Show the effective configuration.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(config_app, name="config")
app.add_typer(demo_app, name="demo")
app.add_typer(errors_app, name="errors")
app.add_typer(alerts_app, name="alerts")
app.add_typer(diagnostics_app, name="diagnostics")
register_query_commands(app)
register_collect_command(app)
register_diagnose_command(app)
register_report_command(app)
app.add_typer(incident_app, name="incident")
register_postmortem_command(app)


@app.command()
def serve(
    config: ConfigOption = None,
    data_dir: DataDirOption = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="HTTP port.")] = None,
    store: Annotated[
        str | None, typer.Option(help="clickhouse://user:pass@host:8123/db[?cluster=C]")
    ] = None,
    retention_days: Annotated[
        int | None, typer.Option(help="Days kept; 0 keeps everything.")
    ] = None,
    statsd_port: Annotated[
        int | None, typer.Option(help="UDP port for StatsD/DogStatsD (default 8125); 0: off.")
    ] = None,
    collect_host: Annotated[
        bool | None,
        typer.Option("--collect-host/--no-collect-host", help="Collect this host's metrics."),
    ] = None,
) -> None:
    """Run the server: OTLP/HTTP ingest, the query API, the web UI (/ui/), /healthz, /metrics."""
    from nightcall.api.server import serve as run_server
    from nightcall.web import web_router

    settings, _ = resolve_settings(
        config,
        data_dir=data_dir,
        host=host,
        port=port,
        store=store,
        retention_days=retention_days,
        statsd_port=statsd_port,
        collect_host=collect_host,
    )
    run_server(settings, routers=[web_router()])


@config_app.command("show")
def config_show(
    config: ConfigOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Print every effective setting and where its value came from."""
    import orjson

    from nightcall.config import env_name, setting_fields

    settings, sources = resolve_settings(config)
    rows = [
        {
            "name": f.name,
            "value": str(getattr(settings, f.name)),
            "source": sources[f.name],
            "env": env_name(f.name),
            "help": f.metadata["help"],
        }
        for f in setting_fields()
    ]
    if json_output:
        typer.echo(orjson.dumps({"settings": rows}, option=orjson.OPT_INDENT_2).decode())
        return
    for row in rows:
        typer.echo(f"{row['name']} = {row['value']}    ({row['source']})")


@config_app.command("docs")
def config_docs() -> None:
    """Print the configuration reference (docs/configuration.md) generated from the settings."""
    from nightcall.config.reference import render_configuration_reference

    typer.echo(render_configuration_reference(), nl=False)


def main() -> None:
    """Entry point: run the app, turning nightcall's errors into a message and an exit code."""
    try:
        app()
    except NightcallError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        if exc.hint:
            typer.echo(f"hint: {exc.hint}", err=True)
        sys.exit(2 if isinstance(exc, UserError) else 1)
