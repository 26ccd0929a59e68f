"""/api/v1/diagnostics: the catalogue, running one on this host, the recent runs, the guards."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from nightcall.api.app import Runtime, create_app
from nightcall.api.errors import install_error_handlers
from nightcall.api.keys import KeyKind, KeyRing
from nightcall.api.routes_diagnostics import (
    diagnostics_allowed,
    diagnostics_policy,
    diagnostics_router,
)
from nightcall.config import Settings
from nightcall.errors import ConfigError
from nightcall.explain.diagnostics import (
    CATALOGUE,
    Command,
    CommandOutcome,
    CommandRequest,
    Diagnostic,
)
from nightcall.model import ItemCounters

RUN = "/api/v1/diagnostics/run"


def test_lists_the_catalogue(app_client: TestClient) -> None:
    """GET lists every allow-listed diagnostic with its argv template and parameters."""
    answer = app_client.get("/api/v1/diagnostics").json()
    assert answer["enabled"] is True
    assert [d["name"] for d in answer["diagnostics"]] == list(CATALOGUE)
    vmstat = next(d for d in answer["diagnostics"] if d["name"] == "vmstat")
    assert vmstat["argv"] == [["vmstat", "1", "{duration_s}"]]
    assert vmstat["params"] == [{"name": "duration_s", "required": False, "default": 5,
                                 "minimum": 2, "maximum": 30, "integer": True,
                                 "help": "seconds to sample for"}]  # fmt: skip


def test_runs_a_diagnostic_and_lists_it(app_client: TestClient) -> None:
    """POST runs process_status on the server's own pid; GET runs lists it, newest first."""
    response = app_client.post(RUN, json={"name": "process_status", "params": {"pid": os.getpid()}})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "ok"
    assert result["argv"] == [["python:process_status"]]
    assert result["params"] == {"pid": os.getpid()}
    assert int(result["facts"]["threads"]) >= 1
    app_client.post(RUN, json={"name": "load_average"})
    runs = app_client.get("/api/v1/diagnostics/runs").json()
    assert [r["name"] for r in runs["runs"]] == ["load_average", "process_status"]
    assert runs["next"] is None


def test_refuses_names_and_values_outside_the_allow_list(app_client: TestClient) -> None:
    """A name or value outside the allow-list is a 400 that names the valid choices."""
    unknown = app_client.post(RUN, json={"name": "bash", "params": {}})
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert error["code"] == "bad_request"
    assert error["location"] == "name"
    assert error["hint"].startswith("the allowed diagnostics: context_switches, cpu_by_process")
    hostile = app_client.post(RUN, json={"name": "open_files", "params": {"pid": "1; rm -rf /"}})
    assert hostile.status_code == 400
    assert hostile.json()["error"]["location"] == "params.pid"
    metadata = {"url": "http://169.254.169.254/latest"}
    remote = app_client.post(RUN, json={"name": "http_probe", "params": metadata})
    assert remote.status_code == 400
    assert "neither loopback nor an allowed host" in remote.json()["error"]["message"]
    assert app_client.get("/api/v1/diagnostics/runs").json()["runs"] == []


def test_turned_off_runs_nothing(make_runtime: Callable[..., Runtime]) -> None:
    """With diagnostics_enabled = false the catalogue still lists, but nothing runs."""
    runtime = make_runtime(diagnostics_enabled="false")
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        assert client.get("/api/v1/diagnostics").json()["enabled"] is False
        refused = client.post(RUN, json={"name": "load_average"})
    assert refused.status_code == 400
    assert refused.json()["error"]["location"] == "diagnostics_enabled"


def test_needs_an_api_key_once_keys_exist(
    keyring: KeyRing, make_runtime: Callable[..., Runtime]
) -> None:
    """Running a diagnostic is behind API-key auth like the rest of /api/v1."""
    _, secret = keyring.create(KeyKind.API)
    runtime = make_runtime()
    with TestClient(create_app(runtime), raise_server_exceptions=False) as client:
        assert client.post(RUN, json={"name": "load_average"}).status_code == 401
        ok = client.post(RUN, json={"name": "load_average"},
                         headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert ok.status_code == 200


class BlockingRunner:
    """Stands in for the operating system: holds each command until released, recording it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.argvs: list[tuple[str, ...]] = []

    def __call__(self, request: CommandRequest) -> CommandOutcome:
        self.argvs.append(request.argv)
        self.started.set()
        self.release.wait(10)
        return CommandOutcome(exit_code=0, output=b"done\n", output_bytes=5)


def test_a_second_run_while_one_is_busy_gets_503(make_settings: Callable[..., Settings]) -> None:
    """Runs are bounded in number: over the limit, 503 with Retry-After, and nothing starts."""
    runner = BlockingRunner()
    catalogue = {"slow": Diagnostic(name="slow", summary="", kinds=(),
                                    commands=(Command(argv=("true",)),))}  # fmt: skip
    app = FastAPI()
    install_error_handlers(app, ItemCounters())
    app.include_router(diagnostics_router(make_settings(), time.time_ns, runner=runner,
                                          catalogue=catalogue, max_concurrent=1))  # fmt: skip
    with TestClient(app, raise_server_exceptions=False) as client:
        first: list[int] = []
        thread = threading.Thread(
            target=lambda: first.append(client.post(RUN, json={"name": "slow"}).status_code)
        )
        thread.start()
        assert runner.started.wait(10)
        busy = client.post(RUN, json={"name": "slow"})
        runner.release.set()
        thread.join(10)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "5"
    assert first == [200]
    assert len(runner.argvs) == 1


def test_serves_the_files_recent_runs_made(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """A run's artifact (a flame graph) is served by name; other names are 404."""
    source = tmp_path / "graph.svg"
    source.write_text("<svg/>")
    copy = Command(argv=("cp", str(source), "{artifact}"))
    catalogue = {"copy": Diagnostic(name="copy", summary="", kinds=(), artifact_suffix=".svg",
                                    commands=(copy,))}  # fmt: skip
    app = FastAPI()
    install_error_handlers(app, ItemCounters())
    app.include_router(diagnostics_router(make_settings(), time.time_ns, catalogue=catalogue))
    with TestClient(app, raise_server_exceptions=False) as client:
        result = client.post(RUN, json={"name": "copy"}).json()
        assert result["status"] == "ok", result["summary"]
        (url,) = result["artifact_urls"]
        served = client.get(url)
        missing = client.get("/api/v1/diagnostics/artifacts/..%2F..%2Fetc%2Fpasswd")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/svg+xml"
    assert served.text == "<svg/>"
    assert missing.status_code == 404


def test_auto_runs_diagnostics_only_on_loopback(make_settings: Callable[..., Settings]) -> None:
    """auto allows runs on a loopback server only; true and false decide; others are refused."""
    assert diagnostics_allowed(make_settings())
    assert not diagnostics_allowed(make_settings(host="0.0.0.0"))
    assert diagnostics_allowed(make_settings(host="0.0.0.0", diagnostics_enabled="true"))
    assert not diagnostics_allowed(make_settings(diagnostics_enabled="False"))
    with pytest.raises(ConfigError, match="not auto, true or false"):
        make_settings(diagnostics_enabled="maybe")
    policy = diagnostics_policy(make_settings(diagnostics_allowed_hosts=" Pay.Example.com, ,db"))
    assert policy.allowed_hosts == frozenset({"pay.example.com", "db"})
