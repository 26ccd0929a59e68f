"""`nightcall logs` (records, as before) and `nightcall logs templates` against a real server."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
from rich.console import Console
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.cli.render import log_templates_table
from tests.conftest import RunningServer

SECOND_NS = 1_000_000_000
WIDE = {"COLUMNS": "200"}


def _load(server: RunningServer) -> None:
    """Six log lines of two services, posted as OTLP/JSON."""
    now = time.time_ns() - 60 * SECOND_NS

    def record(offset_s: int, body: str, severity: int) -> dict[str, Any]:
        return {"timeUnixNano": str(now + offset_s * SECOND_NS), "severityNumber": severity,
                "body": {"stringValue": body}}  # fmt: skip

    def resource(service: str, records: list[dict[str, Any]]) -> dict[str, Any]:
        attributes = [{"key": "service.name", "value": {"stringValue": service}}]
        return {"resource": {"attributes": attributes}, "scopeLogs": [{"logRecords": records}]}

    body = {"resourceLogs": [
        resource("checkout", [record(i, f"order {i} placed", 9) for i in range(4)]
                 + [record(5, "card declined for order 9", 17)]),
        resource("cart", [record(1, "cart 3 emptied", 9)]),
    ]}  # fmt: skip
    assert httpx.post(server.url + "/v1/logs", json=body).status_code == 200
    server.flush()


def _invoke(server: RunningServer, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--url", server.url], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_logs_still_lists_records(server: RunningServer) -> None:
    """`nightcall logs` with its filters prints the API's records, now with their templates."""
    _load(server)
    printed = orjson.loads(_invoke(server, "logs", "--service", "checkout", "--json"))
    answered = httpx.get(server.url + "/api/v1/logs", params={"service": "checkout"}).json()
    assert printed == answered
    assert {log["template"] for log in printed["logs"]} == {
        "order <*> placed",
        "card declined for order <*>",
    }
    table = _invoke(server, "logs", "-q", "declined")
    assert "card declined for order 9" in table
    assert "order 1 placed" not in table


def test_logs_templates_prints_what_the_api_answers(server: RunningServer) -> None:
    """`logs templates --json` equals the API's answer; the table leads with the busiest."""
    _load(server)
    printed = orjson.loads(_invoke(server, "logs", "templates", "--since", "1h", "--json"))
    answered = httpx.get(server.url + "/api/v1/logs/templates", params={"start": "-1h"}).json()
    assert printed == answered
    assert [t["count"] for t in printed["templates"]] == [4, 1, 1]
    only_cart = orjson.loads(_invoke(server, "logs", "templates", "--service", "cart", "--json"))
    assert [t["template"] for t in only_cart["templates"]] == ["cart <*> emptied"]
    table = _invoke(server, "logs", "templates")
    lines = [line for line in table.splitlines() if "placed" in line or "declined" in line]
    assert "order <*> placed" in lines[0]
    assert "ERROR" in lines[1]


def test_log_templates_table(golden: Callable[[str, str], None]) -> None:
    """The table shows lines, a `new` mark, severity, service, first seen and the template."""
    templates: list[dict[str, Any]] = [
        {"service": "checkout", "template_id": "00000000000000a1", "template": "order <*> placed",
         "count": 1200, "first_seen": "2026-01-01T00:00:00.000000000Z", "is_new": False,
         "severity": "INFO"},
        {"service": "payment", "template_id": "00000000000000b2",
         "template": "pool exhausted after <*> s", "count": 17,
         "first_seen": "2026-01-01T03:12:09.500000000Z", "is_new": True, "severity": "ERROR"},
        {"service": "payment", "template_id": "00000000000000c3", "template": None, "count": 1,
         "first_seen": "2026-01-01T03:13:00.000000000Z", "is_new": True, "severity": "WARN"},
    ]  # fmt: skip
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, force_terminal=False).print(
        log_templates_table(templates)
    )
    golden("cli/log_templates_table.txt", buffer.getvalue())
