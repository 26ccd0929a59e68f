"""The incidents API: every route on a small record, and the issue's end-to-end scenario."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import httpx
import pytest
from starlette.testclient import TestClient

from nightcall.demo.bundle import send_payloads
from nightcall.demo.scenarios import HOUR_NS, SCENARIO_ORIGIN_NS, scenario_specs
from nightcall.demo.simulate import stream
from tests.conftest import RunningServer

SECOND = 10**9


class _Answer(Protocol):
    """What the checks read of a response (httpx's, or the TestClient's httpx2 one)."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


def _ok(response: _Answer, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _error(response: _Answer, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_an_incident_is_run_through_the_api(app_client: TestClient) -> None:
    """Open, list, move, scope, note, log hypotheses, attach evidence, close: each answers the
    incident as it now stands, and refusals say what is allowed."""
    c = app_client
    opened = _ok(
        c.post(
            "/api/v1/incidents",
            json={
                "title": "Checkout is slow",
                "severity": "P2",
                "actor": "alice",
                "read_data": False,
            },
        ),
        201,
    )
    assert (opened["id"], opened["phase"], opened["severity"]) == ("INC-1", "detect", "P2")
    assert opened["next_phases"] == ["triage", "closed"]
    assert opened["source"] == {"kind": "manual"}
    listed = _ok(c.get("/api/v1/incidents"))
    assert [i["id"] for i in listed["incidents"]] == ["INC-1"]
    assert listed["next"] is None
    refused = _error(c.post("/api/v1/incidents/INC-1/phase", json={"phase": "fix", "actor": "a"}))
    assert refused["code"] == "bad_request"
    assert refused["hint"] == "allowed next phases from detect: triage, closed"
    moved = _ok(
        c.post(
            "/api/v1/incidents/inc-1/phase",
            json={"phase": "triage", "actor": "alice", "reason": "it is real"},
        )
    )
    assert moved["phases"][-1]["reason"] == "it is real"
    assert moved["phases"][-1]["actor"] == "alice"
    _ok(c.post("/api/v1/incidents/1/severity", json={"severity": "P1", "actor": "alice"}))
    _ok(c.post("/api/v1/incidents/1/commander", json={"commander": "bob", "actor": "alice"}))
    scoped = _ok(
        c.post(
            "/api/v1/incidents/1/scope",
            json={"services": ["checkout"], "user_count": 12, "actor": "bob"},
        )
    )
    assert scoped["scope"]["services"] == ["checkout"]
    assert scoped["scope"]["edited"] == ["services", "user_count"]
    _ok(c.post("/api/v1/incidents/1/notes", json={"text": "rolled back", "actor": "bob"}))
    logged = _ok(
        c.post(
            "/api/v1/incidents/1/hypotheses",
            json={
                "statement": "The database is slow",
                "kind": "slow_dependency",
                "actor": "bob",
                "evidence": [
                    {"kind": "query", "label": "db p95", "query": "/api/v1/traces?service=db"}
                ],
            },
        )
    )
    (h1,) = logged["hypotheses"]
    assert (h1["id"], h1["status"], h1["source"]) == ("H1", "proposed", "person")
    bad = _error(
        c.patch(
            "/api/v1/incidents/1/hypotheses/H1",
            json={"evidence": [{"kind": "trace", "label": "x"}], "actor": "b"},
        )
    )
    assert bad["location"] == "evidence.0.trace_id"
    needs = _error(
        c.patch("/api/v1/incidents/1/hypotheses/H1", json={"status": "rejected", "actor": "bob"})
    )
    assert needs["location"] == "reason"
    rejected = _ok(
        c.patch(
            "/api/v1/incidents/1/hypotheses/h1",
            json={
                "status": "rejected",
                "reason": "pg_stat_statements is quiet",
                "actor": "bob",
                "evidence": [{"kind": "trace", "label": "fast query", "trace_id": "ab12"}],
            },
        )
    )
    h1 = rejected["hypotheses"][0]
    assert h1["status"] == "rejected"
    assert [e["kind"] for e in h1["evidence"]] == ["query", "trace"]
    assert h1["history"][-1]["reason"] == "pg_stat_statements is quiet"
    refreshed = _ok(c.post("/api/v1/incidents/1/refresh", json={"actor": "bob"}))
    assert refreshed["refreshed"] is not None
    assert refreshed["scope"]["services"] == ["checkout"]  # set by hand: a reading keeps it
    timeline = _ok(c.get("/api/v1/incidents/1/timeline"))["timeline"]
    assert [e["kind"] for e in timeline][:2] == ["opened", "phase_changed"]
    assert "H1 rejected: pg_stat_statements is quiet" in [e["title"] for e in timeline]
    closed = _ok(
        c.post("/api/v1/incidents/1/close", json={"actor": "bob", "reason": "false alarm"})
    )
    assert closed["phase"] == "closed"
    assert closed["closed_unix_nano"] is not None
    assert _error(c.post("/api/v1/incidents/1/close", json={"actor": "bob"}))["hint"] == (
        "allowed next phases from closed: triage"
    )


def test_refusals_use_the_error_shape(app_client: TestClient) -> None:
    """Unknown incidents are 404; unknown fields, phases and severities are 400 with a hint."""
    c = app_client
    missing = _error(c.get("/api/v1/incidents/INC-7"), 404)
    assert missing["code"] == "not_found"
    assert missing["hint"] == "open one first"
    extra = _error(c.post("/api/v1/incidents", json={"title": "x", "colour": "red"}))
    assert extra["location"] == "body.colour"
    assert _error(c.post("/api/v1/incidents", json={"title": "x", "severity": "sev1"}))["hint"]
    _ok(c.post("/api/v1/incidents", json={"title": "x", "read_data": False}), 201)
    phase = _error(c.post("/api/v1/incidents/1/phase", json={"phase": "mitigate"}))
    assert "stabilize" in phase["hint"]
    alert = _error(c.post("/api/v1/incidents", json={"title": "x", "source": {"kind": "alert"}}))
    assert alert["location"] == "source.rule"


def test_the_postmortem_keeps_edited_sections(app_client: TestClient) -> None:
    """Markdown, HTML and JSON forms; a section set by hand, or edited in the document, stays."""
    c = app_client
    _ok(c.post("/api/v1/incidents", json={"title": "Cart errors", "read_data": False}), 201)
    markdown = c.get("/api/v1/incidents/1/postmortem")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Post-mortem: INC-1: Cart errors")
    page = c.get("/api/v1/incidents/1/postmortem", params={"format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "<h2>Action items</h2>" in page.text
    edited = markdown.text.replace("- **What went well:** _(fill in)_", "- **What went well:** ok")
    kept = _ok(c.put("/api/v1/incidents/1/postmortem", json={"markdown": edited, "actor": "a"}))
    assert kept == {"incident": "INC-1", "edited": ["lessons"], "changed": ["lessons"]}
    _ok(
        c.put(
            "/api/v1/incidents/1/postmortem",
            json={"sections": {"action_items": "- [ ] Add an alert"}, "actor": "a"},
        )
    )
    _ok(c.post("/api/v1/incidents/1/notes", json={"text": "later note", "actor": "a"}))
    again = _ok(c.get("/api/v1/incidents/1/postmortem", params={"format": "json"}))
    assert again["sections"]["lessons"]["edited"] is True
    assert "- **What went well:** ok" in again["markdown"]
    assert "## Action items\n\n- [ ] Add an alert\n" in again["markdown"]
    assert "Note: later note" in again["markdown"]  # the timeline follows the record
    unknown = _error(c.put("/api/v1/incidents/1/postmortem", json={"sections": {"appendix": "x"}}))
    assert unknown["location"] == "section"


# The end-to-end test: cpu_saturation in catalog (scenario 3), 25 to 40 min into its hour.
SCENARIO = 3


@pytest.fixture
def loaded(make_server: Callable[..., RunningServer]) -> RunningServer:
    """A server holding scenario 3's hour."""
    server = make_server()
    (spec,) = [s for s in scenario_specs() if s.index == SCENARIO]
    payloads, _ = stream(spec.config())
    send_payloads(payloads, server.url, dsn=f"http://demo@127.0.0.1:{server.port}/1")
    server.flush(timeout_s=120)
    return server


def test_an_alert_opens_an_incident_that_is_diagnosed_settled_and_written_up(
    loaded: RunningServer,
) -> None:
    """An alert opens INC-1 for the hour; the engine's hypotheses are logged; a diagnostic's
    output is attached; one hypothesis is rejected and one confirmed; the post-mortem names the
    root cause with its evidence, and its timeline runs in order from an onset within a minute
    of the injected fault. A second incident on the same data remembers the first."""
    (spec,) = [s for s in scenario_specs() if s.index == SCENARIO]
    hour = SCENARIO_ORIGIN_NS + spec.index * HOUR_NS
    fault_ns = hour + int(spec.start_s * SECOND)
    end_ns = fault_ns + int(spec.duration_s * SECOND)
    with httpx.Client(base_url=loaded.url, timeout=120) as c:
        alert = {
            "kind": "alert",
            "rule": "catalog_p95_high",
            "severity": "critical",
            "fired_unix_nano": fault_ns + 120 * SECOND,
            "summary": "catalog p95 over 1 s",
            "runbook_url": "https://runbooks.example/catalog",
        }
        incident = _ok(
            c.post(
                "/api/v1/incidents",
                json={
                    "title": "Product pages are slow",
                    "source": alert,
                    "start": str(hour),
                    "end": str(hour + HOUR_NS),
                    "actor": "alerts",
                },
            ),
            201,
        )
        assert incident["severity"] == "P1"
        assert abs(incident["onset_unix_nano"] - fault_ns) <= 60 * SECOND
        assert abs(incident["recovery_unix_nano"] - end_ns) <= 120 * SECOND
        assert "catalog" in incident["scope"]["services"]
        engine = [h for h in incident["hypotheses"] if h["source"] == "engine"]
        cpu = next(h for h in engine if h["kind"] == "cpu_bottleneck")
        assert cpu["service"] == "catalog"
        assert cpu["evidence"]
        assert cpu["steps"]
        other = next(h for h in engine if h["id"] != cpu["id"])

        _settle(c, incident["id"], cpu, other)
        timeline = _ok(c.get(f"/api/v1/incidents/{incident['id']}/timeline"))["timeline"]
        times = [e["time_unix_nano"] for e in timeline]
        assert times == sorted(times)
        onset = next(e for e in timeline if e["kind"] == "onset")
        assert abs(onset["time_unix_nano"] - fault_ns) <= 60 * SECOND
        kinds = [e["kind"] for e in timeline]
        assert kinds.index("onset") < kinds.index("alert_fired") < kinds.index("recovery")
        assert all(e["link"] for e in timeline)

        _check_postmortem(c, incident["id"], cpu, other)
        again = _ok(
            c.post(
                "/api/v1/incidents",
                json={
                    "title": "Product pages slow again",
                    "start": str(hour),
                    "end": str(hour + HOUR_NS),
                    "actor": "bob",
                },
            ),
            201,
        )
        (match,) = again["similar"]
        assert match["incident"] == incident["id"]
        assert match["similarity"] >= 0.8
        assert match["root_causes"][0]["statement"] == cpu["statement"]
        remembered = [h for h in again["hypotheses"] if h["source"] == "memory"]
        assert remembered
        assert remembered[0]["statement"].startswith(f"Seen before in {incident['id']}")
        assert remembered[0]["origin"]["incident"] == incident["id"]


def _settle(c: httpx.Client, incident_id: str, cpu: dict[str, Any], other: dict[str, Any]) -> None:
    """Run a diagnostic and attach it, reject one hypothesis, confirm the other, close."""
    run = _ok(c.post("/api/v1/diagnostics/run", json={"name": "load_average"}))
    path = f"/api/v1/incidents/{incident_id}/hypotheses"
    _ok(
        c.patch(
            f"{path}/{cpu['id']}",
            json={
                "status": "investigating",
                "actor": "alice",
                "evidence": [{"kind": "diagnostic", **run}],
            },
        )
    )
    _ok(
        c.patch(
            f"{path}/{other['id']}",
            json={
                "status": "rejected",
                "actor": "alice",
                "reason": "catalog's CPU explains its latency; nothing else moved",
            },
        )
    )
    settled = _ok(
        c.patch(
            f"{path}/{cpu['id']}",
            json={
                "status": "confirmed",
                "actor": "alice",
                "reason": "process.cpu.utilization of catalog at 95 % from the onset",
            },
        )
    )
    for phase in ("triage", "stabilize", "diagnose", "fix", "postmortem"):
        _ok(
            c.post(
                f"/api/v1/incidents/{incident_id}/phase",
                json={"phase": phase, "actor": "alice", "reason": f"on to {phase}"},
            )
        )
    closed = _ok(
        c.post(
            f"/api/v1/incidents/{incident_id}/close",
            json={"actor": "alice", "reason": "written up"},
        )
    )
    assert closed["root_cause"] == cpu["statement"]
    assert settled["hypotheses"][int(cpu["id"][1:]) - 1]["evidence"][-1]["name"] == "load_average"


def _check_postmortem(
    c: httpx.Client, incident_id: str, cpu: dict[str, Any], other: dict[str, Any]
) -> None:
    """The post-mortem names the confirmed cause with its diagnostic, and what was ruled out."""
    document = c.get(f"/api/v1/incidents/{incident_id}/postmortem").text
    root_cause = document.split("## Root cause")[1].split("## Resolution")[0]
    assert f"**{cpu['id']}: {cpu['statement']}**" in root_cause
    assert "cpu_bottleneck in catalog" in root_cause
    assert "Output of `python:load_average`" in root_cause
    assert f"- {other['id']}: {other['statement']} (rejected by alice" in root_cause
    assert f"**Root cause:** {cpu['statement']} ({cpu['id']})" in document
    rows = [
        line
        for line in document.split("## Timeline")[1].split("## Root cause")[0].splitlines()
        if line.startswith("| 20")
    ]
    assert [r.split(" | ")[0] for r in rows] == sorted(r.split(" | ")[0] for r in rows)
