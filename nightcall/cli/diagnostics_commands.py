"""`nightcall diagnostics list|run`: the allow-listed diagnostics, run on this host, in process.

A diagnostic looks at the machine it runs on, so `run` never goes through a server: it runs
here, as the user who typed it (root sees more: py-spy, perf and dmesg need it). That is also
what a plan for another host says to do there. Network diagnostics may reach any host from
the CLI (the person typing could reach it anyway); the server keeps to its allow-list.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from nightcall.cli.options import JsonOption
from nightcall.cli.render import make_console
from nightcall.explain.diagnostics import (
    CATALOGUE,
    DiagnosticResult,
    Policy,
    RunStatus,
    run_diagnostic,
)

diagnostics_app = typer.Typer(
    help="Allow-listed, read-only diagnostics of this host (CPU, memory, files, network...).",
    no_args_is_help=True,
)


def _params_text(names: list[str], required: set[str]) -> str:
    return " ".join(f"--{n}" if n in required else f"[--{n}]" for n in names) or "-"


@diagnostics_app.command("list")
def list_diagnostics(json_output: JsonOption = False) -> None:
    """List every diagnostic nightcall may run, its parameters and the hypotheses it tests."""
    entries = [diagnostic.to_json() for diagnostic in CATALOGUE.values()]
    if json_output:
        answer = {"diagnostics": entries, "next": None}
        typer.echo(orjson.dumps(answer, option=orjson.OPT_INDENT_2).decode())
        return
    table = Table(title="Diagnostics", title_justify="left")
    for column in ("name", "parameters", "runs", "root", "what it shows"):
        table.add_column(column)
    for diagnostic in CATALOGUE.values():
        names = [spec.name.replace("duration_s", "duration") for spec in diagnostic.params]
        required = {s.name for s in diagnostic.params if s.required}
        runs = "python" if diagnostic.is_python else diagnostic.commands[0].argv[0]
        table.add_row(diagnostic.name, _params_text(names, required), runs,
                      "yes" if diagnostic.needs_root else "", diagnostic.summary)  # fmt: skip
    make_console().print(table)


def _print_result(result: DiagnosticResult) -> None:
    typer.echo(f"{result.name}: {result.status} in {result.duration_s:.2f} s on {result.host}")
    typer.echo(result.summary)
    for argv in result.argv:
        typer.echo("ran: " + " ".join(argv))
    for path in result.artifacts:
        typer.echo(f"wrote: {path}")
    if result.output:
        typer.echo("")
        typer.echo(result.output.rstrip("\n"))
    if result.is_truncated:
        typer.echo(f"(output cut: {result.output_bytes} bytes in all)")


@diagnostics_app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="A name from `nightcall diagnostics list`.")],
    pid: Annotated[int | None, typer.Option(help="The process to look at.")] = None,
    host: Annotated[str | None, typer.Option(help="A DNS name or IP address.")] = None,
    port: Annotated[int | None, typer.Option(help="A TCP port (tls_certificate).")] = None,
    url: Annotated[str | None, typer.Option(help="An http(s) URL (http_probe).")] = None,
    duration: Annotated[float | None, typer.Option(help="Seconds to sample for.")] = None,
    artifacts_dir: Annotated[
        Path | None,
        typer.Option(help="Where files such as flame graphs go (default: a private temp dir)."),
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Run one diagnostic on this host and print what it found (exit 1 unless it ran ok)."""
    given = {"pid": pid, "host": host, "port": port, "url": url, "duration_s": duration}
    params = {key: value for key, value in given.items() if value is not None}
    if isinstance(params.get("duration_s"), float) and float(params["duration_s"]).is_integer():
        params["duration_s"] = int(params["duration_s"])  # --duration 5 on a whole-seconds tool
    result = run_diagnostic(name, params, clock=time.time_ns,
                            policy=Policy(allow_any_host=True),
                            artifacts_dir=artifacts_dir)  # fmt: skip
    if json_output:
        typer.echo(orjson.dumps(result.to_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        _print_result(result)
    if result.status != RunStatus.OK:
        raise typer.Exit(1)
