"""`nightcall services|traces|trace|metrics|service-map`, and the `logs` group: the query API.

Each prints a table, or with `--json` exactly what the API answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from nightcall.cli.client import open_backend
from nightcall.cli.log_commands import logs_app
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
from nightcall.cli.render import (
    make_console,
    metrics_table,
    series_table,
    service_map_table,
    services_table,
    trace_analysis_table,
    trace_table,
    traces_table,
)

LimitOption = Annotated[int, typer.Option("--limit", min=1, max=10_000, help="Most items.")]


def _run(
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


def register_query_commands(app: typer.Typer) -> None:
    """Add the query commands to `app` (`logs` is a group: records, and `logs templates`)."""
    app.add_typer(logs_app, name="logs")

    @app.command()
    def services(
        start: StartOption = None,
        end: EndOption = None,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Each service's request rate, error rate and p50/p95/p99 (default: the last hour)."""
        _run("/api/v1/services", {"start": relative_start(start), "end": end},
             config=config, data_dir=data_dir, url=url, key=key, json_output=json_output,
             render=lambda a: services_table(a["services"]))  # fmt: skip

    @app.command()
    def traces(
        service: Annotated[str | None, typer.Option(help="Service name.")] = None,
        operation: Annotated[str | None, typer.Option(help="Span name.")] = None,
        min_duration_ms: Annotated[float | None, typer.Option(help="Slowest only.")] = None,
        errors: Annotated[
            bool, typer.Option("--errors", help="Traces with an error span.")
        ] = False,
        attr: Annotated[list[str] | None, typer.Option(help="key=value; repeatable.")] = None,
        start: StartOption = None,
        end: EndOption = None,
        limit: LimitOption = 20,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Traces with a span matching the filters, newest first."""
        params = {"service": service, "operation": operation, "min_duration_ms": min_duration_ms,
                  "status": "error" if errors else None, "attr": attr or None,
                  "start": relative_start(start), "end": end, "limit": limit}  # fmt: skip
        _run("/api/v1/traces", params, config=config, data_dir=data_dir, url=url, key=key,
             json_output=json_output, render=lambda a: traces_table(a["traces"]))  # fmt: skip

    @app.command()
    def trace(
        trace_id: Annotated[str, typer.Argument(metavar="ID", help="32 hex digits.")],
        analyze: Annotated[
            bool,
            typer.Option(
                "--analyze", help="Critical path, self-times, bottlenecks and error origin."
            ),
        ] = False,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Every span of one trace, as a tree; with --analyze, its critical path."""
        if analyze:
            _run(f"/api/v1/traces/{trace_id}/analysis", {}, config=config, data_dir=data_dir,
                 url=url, key=key, json_output=json_output,
                 render=trace_analysis_table)  # fmt: skip
            return
        _run(f"/api/v1/traces/{trace_id}", {}, config=config, data_dir=data_dir, url=url,
             key=key, json_output=json_output, render=trace_table)  # fmt: skip

    @app.command("service-map")
    def service_map(
        start: StartOption = None,
        end: EndOption = None,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Who calls whom: per-edge rate, error rate and p50/p95 (default: the last hour)."""
        _run("/api/v1/service-map", {"start": relative_start(start), "end": end},
             config=config, data_dir=data_dir, url=url, key=key, json_output=json_output,
             render=service_map_table)  # fmt: skip

    @app.command()
    def metrics(
        name: Annotated[
            str | None, typer.Argument(help="A metric: print its series instead of the list.")
        ] = None,
        step: Annotated[float | None, typer.Option(help="Bucket width, seconds.")] = None,
        group_by: Annotated[str | None, typer.Option(help="service, resource.KEY or KEY.")] = None,
        agg: Annotated[str | None, typer.Option(help="avg, max, rate, p95, ...")] = None,
        service: Annotated[str | None, typer.Option(help="Service name.")] = None,
        start: StartOption = None,
        end: EndOption = None,
        config: ConfigOption = None,
        data_dir: DataDirOption = None,
        url: UrlOption = None,
        key: KeyOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Metric names with their types, or one metric's series."""
        window = {"start": relative_start(start), "end": end}
        if name is None:
            _run("/api/v1/metrics", window, config=config, data_dir=data_dir, url=url, key=key,
                 json_output=json_output, render=lambda a: metrics_table(a["metrics"]))  # fmt: skip
            return
        params = {**window, "step": step, "group_by": group_by, "agg": agg, "service": service}
        _run(f"/api/v1/metrics/{name}/series", params, config=config, data_dir=data_dir,
             url=url, key=key, json_output=json_output, render=series_table)  # fmt: skip
