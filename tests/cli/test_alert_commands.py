"""`nightcall alerts rules|list|silence|deliveries` against a real server."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.cli.alert_commands import duration_s
from nightcall.errors import UserError
from tests.conftest import RunningServer

WIDE = {"COLUMNS": "200"}


def _run(server: RunningServer, *args: str) -> str:
    result = CliRunner().invoke(app, ["alerts", *args, "--url", server.url], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.stdout


def _json(server: RunningServer, *args: str) -> Any:
    return orjson.loads(_run(server, *args, "--json"))


def test_rules_are_listed_as_a_table_and_as_json_and_deleted(server: RunningServer) -> None:
    """An API-made rule shows in both forms; --delete removes it."""
    rule = {
        "name": "slow-pay",
        "kind": "threshold",
        "series": "latency_p95",
        "threshold": 800,
        "match": {"service": "pay"},
        "for_s": 60,
        "severity": "P2",
    }
    assert httpx.post(server.url + "/api/v1/alerts/rules", json=rule).status_code == 201
    assert [r["name"] for r in _json(server, "rules")["rules"]] == ["slow-pay"]
    table = _run(server, "rules")
    assert "latency_p95{service=pay} > 800" in table
    assert "60 s" in table
    assert _json(server, "rules", "--delete", "slow-pay") == {"name": "slow-pay", "deleted": True}
    assert _json(server, "rules")["rules"] == []


def test_silences_are_created_listed_and_deleted(server: RunningServer) -> None:
    """--match with --duration creates a silence; the list shows it; --delete removes it."""
    created = _json(
        server,
        "silence",
        "--match",
        "service=checkout",
        "--match",
        "alertname=~checkout-.*",
        "--duration",
        "1h30m",
        "--comment",
        "deploy",
    )
    assert created["matchers"] == [
        {"label": "service", "op": "=", "value": "checkout"},
        {"label": "alertname", "op": "=~", "value": "checkout-.*"},
    ]
    assert created["ends_unix_nano"] - created["starts_unix_nano"] == 5400 * 10**9
    table = _run(server, "silence")
    assert created["id"] in table
    assert "service=checkout, alertname=~checkout-.*" in table
    assert _json(server, "silence", "--delete", created["id"])["deleted"] is True
    assert _json(server, "silence")["silences"] == []


def test_list_and_deliveries_print_on_a_quiet_server(server: RunningServer) -> None:
    """Both commands answer the API's shapes and print their tables."""
    assert _json(server, "list") == {"alerts": [], "events": [], "next": None}
    assert _json(server, "deliveries")["deliveries"] == []
    assert "Alerts now" in _run(server, "list")
    assert "Delivery attempts" in _run(server, "deliveries")


def test_a_bad_matcher_says_how_to_write_it(server: RunningServer) -> None:
    """The CLI refuses a matcher without an operator, naming it and the forms."""
    result = CliRunner().invoke(
        app, ["alerts", "silence", "--match", "service", "--url", server.url]
    )
    assert isinstance(result.exception, UserError)
    assert "cannot read the matcher 'service'" in result.exception.message
    assert result.exception.hint is not None


@pytest.mark.parametrize(("text", "seconds"), [("90", 90.0), ("90m", 5400.0), ("1d12h", 129600.0)])
def test_durations_read_units(text: str, seconds: float) -> None:
    """Durations are seconds, or numbers with s, m, h, d, w units, run together."""
    assert duration_s(text) == seconds


def test_an_unreadable_duration_is_refused() -> None:
    """A duration with an unknown unit names the text and the forms."""
    with pytest.raises(UserError, match="cannot read '2 hours' as a duration"):
        duration_s("2 hours")
