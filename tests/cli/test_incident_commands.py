"""`nightcall incident ...` and `nightcall postmortem` against a real server, and on a data dir."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.errors import UserError
from tests.conftest import RunningServer

ENV = {"COLUMNS": "200", "NIGHTCALL_ACTOR": "alice"}


def _cli(server: RunningServer, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--url", server.url], env=ENV)
    assert result.exit_code == 0, result.output
    return result.output


def _refused(server: RunningServer, *args: str) -> str:
    """The message of the user error a command raises (main() exits with status 2 on it)."""
    result = CliRunner().invoke(app, [*args, "--url", server.url], env=ENV)
    assert isinstance(result.exception, UserError), result.output
    return result.exception.message


def _json(server: RunningServer, *args: str) -> Any:
    return orjson.loads(_cli(server, *args, "--json"))


def test_an_incident_is_run_from_the_terminal(server: RunningServer, tmp_path: Path) -> None:
    """Open, move, log and settle a hypothesis, note, read, write up and close, as a person
    at a terminal would; refusals are user errors that say what went wrong."""
    opened = _json(
        server, "incident", "open", "Checkout is slow", "--severity", "P2", "--no-read-data"
    )
    assert (opened["id"], opened["opened_by"]) == ("INC-1", "alice")
    refused = _refused(server, "incident", "phase", "INC-1", "fix")
    assert "400: cannot move INC-1 from detect to fix" in refused
    moved = _json(server, "incident", "phase", "1", "triage", "--reason", "customers see it")
    assert moved["phase"] == "triage"
    evidence = '{"kind": "query", "label": "db p95", "query": "/api/v1/traces?service=db"}'
    logged = _json(
        server,
        "incident",
        "hypothesis",
        "add",
        "1",
        "The database is slow",
        "--kind",
        "slow_dependency",
        "--evidence",
        evidence,
    )
    assert logged["hypotheses"][0]["evidence"][0]["label"] == "db p95"
    _json(
        server,
        "incident",
        "hypothesis",
        "update",
        "1",
        "H1",
        "--status",
        "rejected",
        "--reason",
        "pg_stat_statements is quiet",
    )
    _cli(server, "incident", "note", "1", "rolled back payment")
    shown = _cli(server, "incident", "show", "1")
    for text in (
        "INC-1",
        "Checkout is slow",
        "H1 REJECTED",
        "pg_stat_statements is quiet",
        "rolled back payment",
        "next: stabilize, diagnose, closed",
    ):
        assert text in shown
    assert "INC-1" in _cli(server, "incident", "list")
    assert "H1 rejected: pg_stat_statements is quiet" in _cli(server, "incident", "timeline", "1")
    logged = _json(server, "incident", "hypothesis", "list", "1")
    assert [h["status"] for h in logged["hypotheses"]] == ["rejected"]

    document = _cli(server, "postmortem", "1")
    assert document.startswith("# Post-mortem: INC-1: Checkout is slow")
    edited = tmp_path / "pm.md"
    edited.write_text(
        document.replace(
            "- **Where we got lucky:** _(fill in)_", "- **Where we got lucky:** low traffic"
        )
    )
    again = _cli(server, "postmortem", "1", "--edit", str(edited))
    assert "- **Where we got lucky:** low traffic" in again
    page = tmp_path / "pm.html"
    _cli(server, "postmortem", "1", "--format", "html", "--output", str(page))
    assert "low traffic" in page.read_text()
    assert page.read_text().startswith("<!doctype html>")
    closed = _json(server, "incident", "close", "1", "--reason", "false alarm")
    assert closed["phase"] == "closed"
    bad = _refused(server, "incident", "hypothesis", "add", "1", "x", "--evidence", "[1]")
    assert bad == "--evidence '[1]' is not a JSON object"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_without_a_server_incidents_live_in_the_data_directory(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no server, `incident open` writes to the data directory and `list` reads it back."""
    monkeypatch.setenv("NIGHTCALL_PORT", str(_free_port()))
    monkeypatch.delenv("NIGHTCALL_URL", raising=False)
    runner = CliRunner()
    where = ["--data-dir", str(data_dir), "--json"]
    opened = runner.invoke(
        app, ["incident", "open", "Disk full", "--no-read-data", "--actor", "bob", *where]
    )
    assert opened.exit_code == 0, opened.output
    listed = runner.invoke(app, ["incident", "list", *where])
    assert listed.exit_code == 0, listed.output
    (incident,) = orjson.loads(listed.stdout)["incidents"]
    assert (incident["id"], incident["title"], incident["opened_by"]) == (
        "INC-1",
        "Disk full",
        "bob",
    )
