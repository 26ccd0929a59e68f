"""`nightcall demo`: the live demo (and first run), simulated runs, the scenario set, replay."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import orjson
import typer

from nightcall.cli.options import KeyOption
from nightcall.errors import UserError

demo_app = typer.Typer(
    help="A small instrumented shop with injectable faults: live, simulated, or replayed.",
    invoke_without_command=True,
)

FaultOption = Annotated[
    str | None,
    typer.Option(
        "--fault",
        help="A fault kind (see `nightcall demo faults`); live default pool_exhaustion, "
        "`none` for a healthy run.",
    ),
]
ServiceOption = Annotated[
    str | None, typer.Option("--service", help="Service to put the fault in (default: the kind's).")
]
TargetUrlOption = Annotated[
    str | None,
    typer.Option("--url", envvar="NIGHTCALL_URL", help="The nightcall server to send to."),
]
DsnOption = Annotated[
    str | None,
    typer.Option("--dsn", help="Sentry DSN for error events (default: http://demo@URL-HOST/1)."),
]


@demo_app.callback()
def live(
    ctx: typer.Context,
    fault: FaultOption = None,
    service: ServiceOption = None,
    duration: Annotated[
        float | None, typer.Option("--duration", help="Seconds of traffic (default 180).")
    ] = None,
    url: TargetUrlOption = None,
    key: KeyOption = None,
    dsn: DsnOption = None,
    short: Annotated[
        bool, typer.Option("--short", help="A run of about a minute, for CI.")
    ] = False,
    first_run: Annotated[
        bool,
        typer.Option(
            "--first-run",
            help="Start a server in ./nightcall-data, run the demo with a fault, show findings.",
        ),
    ] = False,
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Data directory for --first-run's server.")
    ] = Path("nightcall-data"),
    out: Annotated[Path | None, typer.Option("--out", help="Write the ground truth here.")] = None,
) -> None:
    """Run the shop live: real processes, real SDKs, a fault after a warm-up."""
    if ctx.invoked_subcommand is not None:
        return
    from nightcall.cli.demo_live import run_first_run, run_live_command

    if first_run:
        run_first_run(fault=fault, service=service, data_dir=data_dir, short=short, out=out)
        return
    if url is None:
        raise UserError(
            "the live demo needs a server to send to",
            location="url",
            hint="pass --url http://127.0.0.1:4318 (a running `nightcall serve`), or use "
            "--first-run to start one",
        )
    run_live_command(
        fault=fault,
        service=service,
        duration_s=duration,
        url=url,
        key=key,
        dsn=dsn,
        short=short,
        out=out,
    )


@demo_app.command("faults")
def faults(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The fault catalogue: kinds, where they can go, what they do."""
    from nightcall.demo.faults import CATALOGUE

    rows = [
        {
            "fault": k.value,
            "default_service": i.default_service,
            "services": list(i.services),
            "summary": i.summary,
        }
        for k, i in CATALOGUE.items()
    ]
    if json_output:
        typer.echo(orjson.dumps({"faults": rows}, option=orjson.OPT_INDENT_2).decode())
        return
    for row in rows:
        typer.echo(f"{row['fault']:<24} {row['summary']} (in {', '.join(row['services'])})")


@demo_app.command("simulate")
def simulate_command(
    fault: FaultOption = None,
    service: ServiceOption = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same data.")] = 7,
    start: Annotated[
        str | None,
        typer.Option("--start", help="Start of the window (RFC 3339, Unix s, -1h; default -1h)."),
    ] = None,
    duration: Annotated[float, typer.Option("--duration", help="Seconds simulated.")] = 3600.0,
    fault_start: Annotated[
        float | None, typer.Option("--fault-start", help="Seconds into the window (default 40%).")
    ] = None,
    fault_duration: Annotated[
        float | None, typer.Option("--fault-duration", help="Seconds (default 30% of window).")
    ] = None,
    rate: Annotated[float, typer.Option("--rate", help="Mean requests per second.")] = 4.0,
    url: TargetUrlOption = None,
    key: KeyOption = None,
    dsn: DsnOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the ground truth here.")] = None,
    write: Annotated[
        Path | None, typer.Option("--write", help="Also write the payloads to this directory.")
    ] = None,
) -> None:
    """Generate a labelled window of telemetry with explicit timestamps and send it."""
    from nightcall.demo.bundle import send_payloads, write_payloads
    from nightcall.demo.faults import Fault, make_fault, parse_kind
    from nightcall.demo.simulate import SimConfig, simulate
    from nightcall.demo.truth import run_truth, write_truth
    from nightcall.model import parse_time_ns

    now_ns = time.time_ns()
    origin_ns = parse_time_ns(start or f"-{duration:g}s", now_ns=now_ns, location="start")
    base = SimConfig(seed=seed, origin_ns=origin_ns, duration_s=duration, mean_rate_per_s=rate)
    injected: tuple[Fault, ...] = ()
    if fault and fault != "none":
        injected = (
            make_fault(
                parse_kind(fault),
                service,
                start_s=duration * 0.4 if fault_start is None else fault_start,
                duration_s=duration * 0.3 if fault_duration is None else fault_duration,
                curve=base.curve,
            ),
        )
    config = SimConfig(
        seed=seed, origin_ns=origin_ns, duration_s=duration, mean_rate_per_s=rate, faults=injected
    )
    payloads, stats = simulate(config)
    if write is not None:
        write_payloads(write, payloads)
    truth = run_truth(
        mode="simulated",
        faults=list(injected),
        origin_ns=origin_ns,
        duration_s=duration,
        seed=seed,
        extra={
            "mean_rate_per_s": rate,
            "generated": {
                "spans": stats.spans,
                "logs": stats.logs,
                "metric_points": stats.metric_points,
                "events": stats.events,
                "events_per_s": round(stats.rate_per_s()),
            },
        },
    )
    if out is not None:
        write_truth(out, truth)
    typer.echo(
        f"simulated {duration:g}s: {stats.spans} spans, {stats.metric_points} metric points, "
        f"{stats.logs} logs, {stats.events} error events in {stats.wall_s:.1f}s "
        f"({stats.rate_per_s():,.0f} events/s)"
    )
    if url:
        report = send_payloads(payloads, url, key=key, dsn=dsn)
        typer.echo(report.summary() + f" to {url}")
    if not url and write is None and out is None:
        typer.echo("nothing was sent or written: pass --url, --write or --out")


@demo_app.command("scenarios")
def scenarios_command(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the set into.")],
    only: Annotated[
        list[int] | None, typer.Option("--only", help="Scenario numbers to write; repeatable.")
    ] = None,
) -> None:
    """Write the fixed, seeded set of labelled incidents (payload files plus truth.json each)."""
    from nightcall.demo.scenarios import scenario_specs, write_scenario
    from nightcall.demo.truth import write_truth

    specs = [s for s in scenario_specs() if not only or s.index in only]
    index = []
    for spec in specs:
        stats = write_scenario(spec, out)
        index.append(
            {
                "scenario": spec.name,
                "fault": spec.kind.value,
                "service": spec.service,
                "seed": spec.seed,
            }
        )
        typer.echo(
            f"{spec.name}: {spec.kind.value} in {spec.service} "
            f"({stats.total} items, {stats.wall_s:.1f}s)"
        )
    write_truth(out / "index.json", {"scenarios": index})


@demo_app.command("replay")
def replay_command(
    directory: Annotated[Path, typer.Argument(help="A scenario directory (DIR/scenario-07).")],
    url: Annotated[str, typer.Option("--url", envvar="NIGHTCALL_URL", help="The server.")],
    key: KeyOption = None,
    dsn: DsnOption = None,
) -> None:
    """Send a written scenario to a server through OTLP/HTTP and the Sentry envelope endpoint."""
    from nightcall.demo.scenarios import replay

    report = replay(directory, url, key=key, dsn=dsn)
    typer.echo(report.summary() + f" to {url}")
