"""`nightcall diagnostics list|run`: the allow-list, and runs on this host, in process."""

from __future__ import annotations

import os

import orjson
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.errors import BadRequest
from nightcall.explain.diagnostics import CATALOGUE

WIDE = {"COLUMNS": "200"}


def test_list_prints_every_diagnostic() -> None:
    """The table and the JSON list every allow-listed diagnostic."""
    table = CliRunner().invoke(app, ["diagnostics", "list"], env=WIDE)
    assert table.exit_code == 0, table.output
    for name in CATALOGUE:
        assert name in table.stdout
    answer = orjson.loads(CliRunner().invoke(app, ["diagnostics", "list", "--json"]).stdout)
    assert [d["name"] for d in answer["diagnostics"]] == list(CATALOGUE)


def test_run_prints_what_ran_and_what_it_found() -> None:
    """A run on this process prints its status, summary, what ran and the output."""
    result = CliRunner().invoke(
        app, ["diagnostics", "run", "process_status", "--pid", str(os.getpid())]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("process_status: ok in ")
    assert lines[1].startswith(f"pid {os.getpid()} ")
    assert lines[2] == "ran: python:process_status"


def test_run_json_is_the_result() -> None:
    """--json prints the result as the API answers it."""
    result = CliRunner().invoke(
        app, ["diagnostics", "run", "cpu_by_process", "--duration", "0.2", "--json"]
    )
    assert result.exit_code == 0, result.output
    answer = orjson.loads(result.stdout)
    assert answer["status"] == "ok"
    assert answer["params"] == {"duration_s": 0.2}


def test_run_refuses_values_outside_the_allow_list() -> None:
    """A hostile host is refused before anything runs (main() makes it exit status 2)."""
    result = CliRunner().invoke(app, ["diagnostics", "run", "dns_lookup", "--host", "-oX;id"])
    assert isinstance(result.exception, BadRequest)
    assert result.exception.location == "params.host"


def test_run_that_is_not_available_exits_1() -> None:
    """A diagnostic that cannot run here says why and exits 1."""
    result = CliRunner().invoke(app, ["diagnostics", "run", "tracemalloc_diff", "--pid",
                                      str(os.getpid())])  # fmt: skip
    assert result.exit_code == 1
    assert "not available: process" in result.stdout
