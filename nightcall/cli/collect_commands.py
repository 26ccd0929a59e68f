"""`nightcall collect`: run the host collector here and ship its metrics to a server over OTLP.

nightcall collect --url http://nightcall.internal:4318 --key INGEST_KEY --interval 10
"""

from __future__ import annotations

import time
from typing import Annotated

import typer

CollectUrlOption = Annotated[
    str,
    typer.Option(
        "--url", envvar="NIGHTCALL_URL", help="The server to ship to (OTLP/HTTP base URL)."
    ),
]
IngestKeyOption = Annotated[
    str | None,
    typer.Option("--key", envvar="NIGHTCALL_KEY", help="An ingest key, if the server has keys.",
                 show_default=False),
]  # fmt: skip


def collect(
    url: CollectUrlOption,
    key: IngestKeyOption = None,
    interval: Annotated[float, typer.Option(help="Seconds between collections.", min=0.1)] = 10.0,
    top: Annotated[int, typer.Option(help="Processes reported per CPU and memory.", min=1)] = 10,
    count: Annotated[
        int, typer.Option(help="Stop after this many collections; 0 runs until stopped.", min=0)
    ] = 0,
    host_name: Annotated[
        str | None, typer.Option(help="host.name to report (default: this host's name).")
    ] = None,
) -> None:
    """Collect this host's CPU, memory, disk, network, process and PSI metrics; ship them."""
    from nightcall.ingest.host import HostCollector, OtlpShipper, ShipError

    collector = HostCollector(top_processes=top, host_name=host_name)
    done = 0
    with OtlpShipper(url, key=key) as shipper:
        try:
            while count == 0 or done < count:
                time.sleep(interval)
                points = collector.collect(now_ns=time.time_ns())
                done += 1
                try:
                    sent = shipper.send(points)
                except ShipError as exc:
                    if exc.is_refusal:
                        raise
                    typer.echo(f"warning: {exc.message}", err=True)
                    continue
                typer.echo(f"collection {done}: sent {sent} points to {shipper.endpoint}")
        except KeyboardInterrupt:
            typer.echo(f"stopped after {done} collections", err=True)


def register_collect_command(app: typer.Typer) -> None:
    """Add `collect` to the `nightcall` command."""
    app.command()(collect)
