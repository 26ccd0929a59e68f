"""The CLI against a real server, against a data directory, and its error exits."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from nightcall.api.app import Runtime
from nightcall.cli import app
from tests.conftest import RunningServer

TRACE_ID = "5b8efff798038103d269b633813fc60c"
NIGHTCALL = str(Path(sys.executable).parent / "nightcall")


def _otlp_json(now_ns: int) -> dict[str, object]:
    """Two spans of one trace (a server span with an error child) and one log record."""
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "checkout"}}]}
    return {
        "resourceSpans": [{
            "resource": resource,
            "scopeSpans": [{"spans": [
                {"traceId": TRACE_ID, "spanId": "eee19b7ec3c1b174", "name": "POST /pay",
                 "kind": 2, "startTimeUnixNano": str(now_ns - 2_000_000_000),
                 "endTimeUnixNano": str(now_ns - 1_000_000_000)},
                {"traceId": TRACE_ID, "spanId": "eee19b7ec3c1b175",
                 "parentSpanId": "eee19b7ec3c1b174", "name": "charge card", "kind": 3,
                 "startTimeUnixNano": str(now_ns - 1_900_000_000),
                 "endTimeUnixNano": str(now_ns - 1_100_000_000),
                 "status": {"code": 2, "message": "gateway timeout"}},
            ]}],
        }],
    }  # fmt: skip


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def no_local_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI's default server at a port nothing listens on."""
    monkeypatch.setenv("NIGHTCALL_PORT", str(_free_port()))
    monkeypatch.delenv("NIGHTCALL_URL", raising=False)


def test_commands_print_what_the_api_answers(server: RunningServer) -> None:
    """`--json` output of services, traces and trace equals the API's answer for the same query."""
    body = _otlp_json(time.time_ns())
    assert httpx.post(server.url + "/v1/traces", json=body).status_code == 200
    server.flush()
    runner = CliRunner()
    for args, path in [
        (["services", "--since", "1h"], "/api/v1/services?start=-1h"),
        (["traces", "--errors"], "/api/v1/traces?status=error"),
        (["trace", TRACE_ID], f"/api/v1/traces/{TRACE_ID}"),
    ]:
        result = runner.invoke(app, [*args, "--json", "--url", server.url])
        assert result.exit_code == 0, result.output
        printed = orjson.loads(result.stdout)
        answered = httpx.get(server.url + path).json()
        printed.pop("start", None), printed.pop("end", None)
        answered.pop("start", None), answered.pop("end", None)
        assert printed == answered

    table = runner.invoke(app, ["trace", TRACE_ID, "--url", server.url], env={"COLUMNS": "120"})
    assert table.exit_code == 0
    assert "POST /pay" in table.stdout
    assert "  charge card" in table.stdout  # indented under its parent
    assert "Error: gateway timeout" in table.stdout


def test_without_a_server_the_cli_reads_the_data_directory(
    make_runtime: Callable[..., Runtime], data_dir: Path, no_local_server: None
) -> None:
    """With no server running, commands open the data directory and answer the same records."""
    from nightcall.ingest.otlp.decode import decode_json
    from nightcall.ingest.otlp.flatten_traces import flatten_traces
    from nightcall.model import Signal

    runtime = make_runtime()
    decoded = flatten_traces(decode_json(Signal.TRACES, orjson.dumps(_otlp_json(time.time_ns()))))
    runtime.pipeline.submit(decoded.batches).result(timeout=30)
    runtime.pipeline.close()
    runtime.store.close()

    result = CliRunner().invoke(app, ["traces", "--json", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    traces = orjson.loads(result.stdout)["traces"]
    assert [t["trace_id"] for t in traces] == [TRACE_ID]
    assert traces[0]["error_count"] == 1


def test_keys_lifecycle_and_dsn(data_dir: Path) -> None:
    """keys create prints the secret once (and a DSN for sentry), list shows it, revoke drops it."""
    runner = CliRunner()
    created = runner.invoke(
        app, ["keys", "create", "--kind", "sentry", "--project", "3", "--json",
              "--data-dir", str(data_dir)],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    key = orjson.loads(created.stdout)
    assert set(key) == {"id", "kind", "secret", "project", "dsn"}
    assert key["dsn"] == f"http://{key['secret']}@127.0.0.1:4318/3"

    listed = runner.invoke(app, ["keys", "list", "--json", "--data-dir", str(data_dir)])
    assert [k["id"] for k in orjson.loads(listed.stdout)["keys"]] == [key["id"]]
    assert key["secret"] not in listed.stdout

    revoked = runner.invoke(app, ["keys", "revoke", key["id"], "--data-dir", str(data_dir)])
    assert revoked.exit_code == 0
    listed = runner.invoke(app, ["keys", "list", "--json", "--data-dir", str(data_dir)])
    assert orjson.loads(listed.stdout)["keys"] == []


def test_errors_exit_2_with_message_and_hint(tmp_path: Path) -> None:
    """A user error prints `error:` and `hint:` lines on stderr and exits with status 2."""
    unused = f"http://127.0.0.1:{_free_port()}"
    result = subprocess.run(
        [NIGHTCALL, "services", "--url", unused],
        capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: cannot reach {unused}")
    assert "hint: start it with `nightcall serve`" in result.stderr
    assert result.stdout == ""


def test_config_show_says_where_each_value_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """config show lists every setting with its source: default, file, or environment."""
    config = tmp_path / "nightcall.toml"
    config.write_text("retention_days = 0\n")
    monkeypatch.setenv("NIGHTCALL_LOG_LEVEL", "debug")
    result = CliRunner().invoke(app, ["config", "show", "--json", "--config", str(config)])
    rows = {r["name"]: r for r in orjson.loads(result.stdout)["settings"]}
    assert rows["retention_days"]["value"] == "0"
    assert rows["retention_days"]["source"] == str(config)
    assert rows["log_level"]["source"] == "NIGHTCALL_LOG_LEVEL"
    assert rows["port"]["source"] == "default"
