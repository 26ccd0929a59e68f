"""`nightcall errors` and `nightcall errors show` against a real server."""

from __future__ import annotations

import httpx
import orjson
from typer.testing import CliRunner

from nightcall.cli import app
from nightcall.cli.client import ApiError
from tests.conftest import RunningServer

EVENT = {
    "event_id": "abcdefabcdefabcdefabcdefabcdef01",
    "level": "error",
    "release": "web@3.1",
    "tags": {"service": "web", "browser": "Firefox"},
    "contexts": {"os": {"name": "Linux"}},
    "exception": {"values": [{
        "type": "TypeError", "value": "x is undefined",
        "stacktrace": {"frames": [
            {"function": "render", "filename": "app.js", "lineno": 10, "in_app": True,
             "context_line": "  return x.y;"},
            {"function": "main", "filename": "main.js", "lineno": 3},
        ]},
    }]},
    "breadcrumbs": {"values": [{"category": "ui.click", "message": "button#buy"}]},
}  # fmt: skip


def _load(server: RunningServer) -> None:
    response = httpx.post(server.url + "/api/1/store/", content=orjson.dumps(EVENT))
    assert response.status_code == 200
    server.flush()


def test_errors_lists_and_filters_as_json(server: RunningServer) -> None:
    """`--json` prints the API's answer; a tag filter that matches nothing prints no events."""
    _load(server)
    runner = CliRunner()
    listed = runner.invoke(app, ["errors", "--url", server.url, "--tag", "browser:Firefox",
                                 "--json"])  # fmt: skip
    assert listed.exit_code == 0, listed.output
    events = orjson.loads(listed.output)["events"]
    assert [(e["event_id"], e["exception_type"]) for e in events] == [
        (EVENT["event_id"], "TypeError")
    ]
    none = runner.invoke(app, ["errors", "--url", server.url, "--release", "nope", "--json"])
    assert orjson.loads(none.output)["events"] == []


def test_errors_table_and_show(server: RunningServer) -> None:
    """The table names the exception; `show` prints every frame and the breadcrumbs."""
    _load(server)
    runner = CliRunner()
    table = runner.invoke(app, ["errors", "--url", server.url], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "TypeError: x is undefined" in table.output
    shown = runner.invoke(
        app, ["errors", "show", str(EVENT["event_id"]), "--url", server.url],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert shown.exit_code == 0, shown.output
    for text in ("render", "main", "app.js", "return x.y;", "button#buy", "ui.click"):
        assert text in shown.output
    missing = runner.invoke(app, ["errors", "show", "0" * 32, "--url", server.url])
    assert isinstance(missing.exception, ApiError)  # main() turns it into exit status 2
    assert "404: no error event" in missing.exception.message
