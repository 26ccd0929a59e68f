"""`nightcall trace ID --analyze` and `nightcall service-map` against a real server."""

from __future__ import annotations

import io
from collections.abc import Callable

import httpx
import orjson
from rich.console import Console
from rich.table import Table
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.cli.render import service_map_table, trace_analysis_table
from tests.api.test_routes_traces_analysis import PROTOBUF, WINDOW, checkout
from tests.conftest import RunningServer
from tests.store.telemetry import trace_id, traces_request


def _text(table: Table) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, force_terminal=False).print(table)
    return buffer.getvalue()


def _load(server: RunningServer) -> None:
    """Two checkouts, the second with a slow failing query, sent over OTLP/HTTP."""
    for n, db_ms in ((1, 30), (2, 200)):
        body = traces_request(checkout(n, db_ms=db_ms, region="eu-west")).SerializeToString()
        assert httpx.post(server.url + "/v1/traces", content=body, headers=PROTOBUF).is_success
    server.flush()


def test_json_output_equals_the_api_answer(server: RunningServer) -> None:
    """`trace --analyze --json` and `service-map --json` print exactly what the API answers."""
    _load(server)
    hex_id = trace_id(2).hex()
    window = ["--since", WINDOW["start"], "--end", WINDOW["end"]]
    runner = CliRunner()
    for args, path in [
        (["trace", hex_id, "--analyze"], f"/api/v1/traces/{hex_id}/analysis"),
        (["service-map", *window], "/api/v1/service-map"),
    ]:
        result = runner.invoke(app, [*args, "--json", "--url", server.url])
        assert result.exit_code == 0, result.output
        params = WINDOW if path.endswith("service-map") else {}
        assert orjson.loads(result.stdout) == httpx.get(server.url + path, params=params).json()


def test_analyze_prints_the_path_bottleneck_and_error_origin(server: RunningServer) -> None:
    """The table names the slow query as the bottleneck and the failing server span as origin."""
    _load(server)
    result = CliRunner().invoke(
        app, ["trace", trace_id(2).hex(), "--analyze", "--url", server.url],
        env={"COLUMNS": "160"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any("INSERT orders" in x and "bottleneck: 91% of the trace" in x for x in lines)
    assert any("POST /orders" in x and "orders" in x and "error origin" in x for x in lines)


def test_renderers_match_their_golden_files(golden: Callable[[str, str], None]) -> None:
    """The analysis and service-map tables render as their golden files."""
    analysis = {
        "trace_id": "a" * 32, "duration_ms": 100.0,
        "critical_path": [
            {"span_id": "r", "name": "GET /", "service": "shop", "offset_ms": 0.0,
             "duration_ms": 20.0},
            {"span_id": "q", "name": "SELECT", "service": "db", "offset_ms": 20.0,
             "duration_ms": 80.0},
        ],
        "spans": [{"span_id": "r", "self_ms": 20.0}, {"span_id": "q", "self_ms": 80.0}],
        "bottlenecks": [{"service": "db", "name": "SELECT", "duration_ms": 80.0, "self_ms": 80.0,
                         "share": 0.8}],
        "error_origin": {"service": "db", "name": "SELECT", "message": "deadlock"},
        "orphan_span_ids": [],
    }  # fmt: skip
    service_map = {
        "nodes": [{"name": "shop", "kind": "service"}, {"name": "postgresql", "kind": "database"}],
        "edges": [{"caller": "shop", "callee": "postgresql", "calls": 120, "rate_per_s": 2.0,
                   "error_rate": 0.025, "p50_ms": 4.0, "p95_ms": 12.5}],
    }  # fmt: skip
    golden("cli/trace_analysis_table.txt", _text(trace_analysis_table(analysis)))
    golden("cli/service_map_table.txt", _text(service_map_table(service_map)))
