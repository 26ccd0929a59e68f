"""The live demo from the command line, and the first run: a server, the shop, a fault, findings.

The first run starts `nightcall serve` as a subprocess on a free port over `--data-dir`, runs
the live shop with a fault, waits until the server has stored everything, then prints what the
query API shows: the RED table (failing service first), the faulty service's error traces and
logs, and how to go on exploring.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import typer

from nightcall.cli.render import logs_table, make_console, services_table, traces_table
from nightcall.cli.render_diagnosis import hypotheses_view
from nightcall.demo.faults import FaultKind, parse_kind
from nightcall.demo.live import LiveOptions, LiveResult, free_port, run_live
from nightcall.demo.truth import write_truth
from nightcall.errors import UserError

FIRST_RUN_FAULT = FaultKind.POOL_EXHAUSTION
FIRST_RUN_SERVICE = "catalog"


def _options(
    url: str,
    *,
    fault: str | None,
    service: str | None,
    duration_s: float | None,
    key: str | None,
    dsn: str | None,
    short: bool,
) -> LiveOptions:
    # Without --fault the live demo injects the first run's fault; `--fault none` runs healthy.
    kind = None if fault == "none" else parse_kind(fault or FIRST_RUN_FAULT.value)
    if fault is None and service is None:
        service = FIRST_RUN_SERVICE
    if short:
        return LiveOptions.short(url, key=key, dsn=dsn, fault=kind, service=service)
    return LiveOptions(
        url=url, key=key, dsn=dsn, fault=kind, service=service, duration_s=duration_s or 180.0
    )


def _report(result: LiveResult) -> None:
    load = result.load
    failed = sum(n for status, n in load.statuses.items() if not status.startswith("2"))
    typer.echo(
        f"load: {load.sent} requests, {failed} not OK, {load.shed} shed; "
        f"restarts: {dict(result.restarts) or 'none'}; {result.wall_s:.0f}s"
    )


def run_live_command(
    *,
    fault: str | None,
    service: str | None,
    duration_s: float | None,
    url: str,
    key: str | None,
    dsn: str | None,
    short: bool,
    out: Path | None,
) -> LiveResult:
    """`nightcall demo --url URL`: the live shop against a running server."""
    options = _options(
        url, fault=fault, service=service, duration_s=duration_s, key=key, dsn=dsn, short=short
    )
    result = run_live(options, echo=typer.echo)
    _report(result)
    if out is not None:
        write_truth(out, result.truth)
    return result


def _wait_until_stored(url: str, timeout_s: float = 60.0) -> None:
    """Wait until the server's write-ahead log has nothing left to store."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        health = httpx.get(url + "/healthz", timeout=5).json()
        if not health.get("wal_pending_bytes"):
            return
        time.sleep(0.3)


def _start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-c",
        "from nightcall.cli.main import main; main()",
        "serve",
        "--data-dir",
        str(data_dir),
        "--port",
        str(port),
        "--statsd-port",
        "0",
    ]
    env = {**os.environ, "NIGHTCALL_LOG_LEVEL": "warning"}
    log = (data_dir / "first-run-server.log").open("ab")
    with log:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)


def show_findings(url: str, truth: dict[str, Any]) -> None:
    """Print what nightcall's query API shows for the run's window."""
    window = {"start": truth["start_unix_nano"], "end": truth["end_unix_nano"] + 5 * 10**9}
    with httpx.Client(base_url=url, timeout=60) as client:
        services = client.get("/api/v1/services", params=window).json()["services"]
        console = make_console()
        console.print(services_table(services))
        worst = max(services, key=lambda s: (s["error_rate"], s["p95_ms"] or 0), default=None)
        if worst is None or worst["error_rate"] == 0:
            typer.echo("no service failed in this window")
            return
        name = worst["service"]
        typer.echo(f"\nfailing service: {name} ({100 * worst['error_rate']:.1f}% errors)")
        traces = client.get(
            "/api/v1/traces", params={**window, "service": name, "status": "error", "limit": 5}
        ).json()
        console.print(traces_table(traces["traces"]))
        logs = client.get(
            "/api/v1/logs", params={**window, "service": name, "severity": "error", "limit": 5}
        ).json()
        console.print(logs_table(logs["logs"]))
        answer = client.get(
            "/api/v1/errors/events", params={**window, "service": name, "limit": 1000}
        )
        if answer.status_code == 200:  # the Sentry side may be absent on an older server
            kinds = Counter((e["exception_type"], e["release"]) for e in answer.json()["events"])
            for (kind, release), count in kinds.most_common(3):
                typer.echo(f"error events: {kind} x{count} ({release})")
        show_hypotheses(client, window, truth)


def show_hypotheses(client: httpx.Client, window: dict[str, int], truth: dict[str, Any]) -> None:
    """Print the ranked hypotheses for the run's window, and what was really injected."""
    answer = client.get("/api/v1/hypotheses", params={**window, "limit": 3})
    if answer.status_code != 200:
        typer.echo(f"no diagnosis: the server answered {answer.status_code}")
        return
    typer.echo("\nWhat nightcall thinks is wrong, most likely first:")
    make_console().print(hypotheses_view(answer.json()))
    for fault in truth.get("faults", []):
        typer.echo(f"(injected: {fault['fault']} in {fault['service']} at {fault['start']})")


def run_first_run(
    *, fault: str | None, service: str | None, data_dir: Path, short: bool, out: Path | None
) -> None:
    """`nightcall demo --first-run`: everything from an empty directory to the findings."""
    started = time.monotonic()
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    typer.echo(f"starting nightcall on {url} with data in {data_dir}/")
    server = _start_server(data_dir, port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise UserError(
                    f"the nightcall server did not start (see {data_dir}/first-run-server.log)",
                    location="data_dir",
                    hint="another server may own this data directory: stop it, or pass "
                    "--data-dir with a fresh directory",
                )
            time.sleep(0.2)
        result = run_live_command(
            fault=fault,
            service=service,
            duration_s=120.0,
            url=url,
            key=None,
            dsn=None,
            short=short,
            out=out,
        )
        _wait_until_stored(url)
        typer.echo("")
        show_findings(url, result.truth)
        (truth,) = result.truth["faults"] or [None]
        if truth:
            typer.echo(
                f"\ninjected: {truth['fault']} in {truth['service']} "
                f"from {truth['start']} to {truth['end']}"
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    peak_mib = _peak_memory_mib()
    typer.echo(
        f"\nfirst run took {time.monotonic() - started:.0f}s (peak memory {peak_mib:.0f} MiB "
        f"in one process). Explore it: `nightcall serve --data-dir {data_dir}` then open "
        f"http://127.0.0.1:4318/docs, or `nightcall services --data-dir {data_dir} --since 15m`."
    )


def _peak_memory_mib() -> float:
    """The largest resident size of this process or any child it waited for."""
    per_mib = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes or KiB
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / per_mib
