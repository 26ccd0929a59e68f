"""`nightcall errors` (groups), `show`, `releases`, `events` and `event` against a real server."""

from __future__ import annotations

import time
from typing import Any

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
    "user": {"id": "u1"},
    "contexts": {"os": {"name": "Linux"}},
    "exception": {"values": [{
        "type": "TypeError", "value": "x is undefined",
        "stacktrace": {"frames": [
            {"function": "main", "filename": "main.js", "lineno": 3, "in_app": True},
            {"function": "render", "filename": "app.js", "lineno": 10, "in_app": True,
             "context_line": "  return x.y;"},
        ]},
    }]},
    "breadcrumbs": {"values": [{"category": "ui.click", "message": "button#buy"}]},
}  # fmt: skip
WIDE = {"COLUMNS": "200"}


def _load(server: RunningServer) -> None:
    for number in range(2):
        event = {**EVENT, "event_id": EVENT["event_id"][:-1] + str(number),
                 "timestamp": time.time() - 60 + number}  # fmt: skip
        response = httpx.post(server.url + "/api/1/store/", content=orjson.dumps(event))
        assert response.status_code == 200
    server.flush()


def _json(server: RunningServer, *args: str) -> Any:
    result = CliRunner().invoke(app, ["errors", *args, "--url", server.url, "--json"])
    assert result.exit_code == 0, result.output
    return orjson.loads(result.stdout)


def test_errors_lists_groups_as_the_api_answers(server: RunningServer) -> None:
    """`errors --json` prints the API's groups; the table names title, counts and flags."""
    _load(server)
    printed = _json(server, "--since", "1h")
    answered = httpx.get(server.url + "/api/v1/errors", params={"start": "-1h"}).json()
    for answer in (printed, answered):
        answer.pop("start"), answer.pop("end")
        for group in answer["errors"]:
            group.pop("series")  # its buckets start at the window, which moved between calls
    assert printed == answered
    (group,) = printed["errors"]
    assert (group["title"], group["count"], group["is_new"]) == ("TypeError: x is undefined", 2,
                                                                  True)  # fmt: skip
    table = CliRunner().invoke(app, ["errors", "--url", server.url], env=WIDE)
    assert table.exit_code == 0, table.output
    for text in ("TypeError: x is undefined", group["fingerprint"], "web@3.1", "new"):
        assert text in table.stdout
    empty = _json(server, "--release", "nope")
    assert empty["errors"] == []


def test_show_prints_one_group(server: RunningServer) -> None:
    """`errors show` prints the culprit, the breadcrumbs before the crash and the tag values."""
    _load(server)
    (group,) = _json(server)["errors"]
    shown = CliRunner().invoke(app, ["errors", "show", group["fingerprint"], "--url", server.url],
                               env=WIDE)  # fmt: skip
    assert shown.exit_code == 0, shown.output
    for text in ("render (app.js:10)", "ui.click: button#buy", "browser", "Firefox (2)",
                 EVENT["event_id"][:-1] + "1"):  # fmt: skip
        assert text in shown.stdout
    missing = CliRunner().invoke(app, ["errors", "show", "0" * 32, "--url", server.url])
    assert isinstance(missing.exception, ApiError)  # main() turns it into exit status 2
    assert "404: no error group" in missing.exception.message


def test_releases_lists_each_release(server: RunningServer) -> None:
    """`errors releases` prints each release's events and groups."""
    _load(server)
    (release,) = _json(server, "releases")["releases"]
    assert (release["release"], release["events"], release["groups"]) == ("web@3.1", 2, 1)
    table = CliRunner().invoke(app, ["errors", "releases", "--url", server.url], env=WIDE)
    assert table.exit_code == 0, table.output
    assert "web@3.1" in table.stdout


def test_events_list_and_filter_as_json(server: RunningServer) -> None:
    """`errors events --json` prints the API's events; a filter that matches none prints none."""
    _load(server)
    events = _json(server, "events", "--tag", "browser:Firefox")["events"]
    assert [e["exception_type"] for e in events] == ["TypeError", "TypeError"]
    assert _json(server, "events", "--release", "nope")["events"] == []


def test_event_prints_frames_and_breadcrumbs(server: RunningServer) -> None:
    """`errors event ID` prints every frame and the breadcrumbs; an unknown id is a 404."""
    _load(server)
    runner = CliRunner()
    table = runner.invoke(app, ["errors", "events", "--url", server.url], env=WIDE)
    assert table.exit_code == 0, table.output
    assert "TypeError: x is undefined" in table.output
    event_id = EVENT["event_id"][:-1] + "0"
    shown = runner.invoke(app, ["errors", "event", event_id, "--url", server.url], env=WIDE)
    assert shown.exit_code == 0, shown.output
    for text in ("render", "main", "app.js", "return x.y;", "button#buy", "ui.click"):
        assert text in shown.output
    missing = runner.invoke(app, ["errors", "event", "0" * 32, "--url", server.url])
    assert isinstance(missing.exception, ApiError)
    assert "404: no error event" in missing.exception.message
