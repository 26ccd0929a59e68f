"""The alerting API: rules, silences, alerts and deliveries; API-made rules survive restarts."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from starlette.testclient import TestClient

from nightcall.api.app import Runtime, create_app
from tests.conftest import RunningServer

RULE = {
    "name": "checkout-errors",
    "kind": "threshold",
    "series": "error_rate",
    "match": {"service": "checkout"},
    "threshold": 0.05,
    "for_s": 120,
    "severity": "p2",
    "runbook_url": "https://wiki.example/runbooks/checkout",
}


def test_rules_are_created_listed_replaced_and_deleted(app_client: TestClient) -> None:
    """POST creates (201) or replaces (200) a rule, GET lists it with its source, DELETE ends it."""
    created = app_client.post("/api/v1/alerts/rules", json=RULE)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["severity"], body["source"], body["replaced"]) == ("P2", "api", False)
    assert body["match"] == {"service": "checkout"}
    again = app_client.post("/api/v1/alerts/rules", json={**RULE, "threshold": 0.1})
    assert again.status_code == 200
    assert again.json()["replaced"] is True
    listed = app_client.get("/api/v1/alerts/rules").json()
    assert [(r["name"], r["threshold"], r["last_error"]) for r in listed["rules"]] == [
        ("checkout-errors", 0.1, None)
    ]
    assert listed["next"] is None
    deleted = app_client.delete("/api/v1/alerts/rules/checkout-errors")
    assert deleted.json() == {"name": "checkout-errors", "deleted": True}
    assert app_client.get("/api/v1/alerts/rules").json()["rules"] == []
    missing = app_client.delete("/api/v1/alerts/rules/checkout-errors")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_a_bad_rule_is_a_400_naming_the_value(app_client: TestClient) -> None:
    """A rule the parser refuses answers the canonical error with the key and a hint."""
    answer = app_client.post("/api/v1/alerts/rules", json={**RULE, "op": "=="})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "bad_request"
    assert "op is '=='; valid: >, >=, <, <=" in error["message"]
    assert error["hint"]
    unknown = app_client.post("/api/v1/alerts/rules", json={**RULE, "receivers": ["pager"]})
    assert "names the receiver(s) 'pager'" in unknown.json()["error"]["message"]


def test_configured_rules_are_listed_and_cannot_be_deleted_through_the_api(
    make_runtime: Callable[..., Runtime],
) -> None:
    """A rule from nightcall.toml shows with source config and refuses DELETE and overwrite."""
    runtime = make_runtime(
        alerts=[{"name": "leak", "kind": "hypothesis", "hypothesis": "memory_leak"}]
    )
    with TestClient(create_app(runtime)) as client:
        (rule,) = client.get("/api/v1/alerts/rules").json()["rules"]
        assert (rule["name"], rule["source"], rule["min_confidence"]) == ("leak", "config", 0.5)
        refused = client.delete("/api/v1/alerts/rules/leak")
        assert refused.status_code == 400
        assert "defined in nightcall.toml" in refused.json()["error"]["message"]
        clash = client.post("/api/v1/alerts/rules", json={**RULE, "name": "leak"})
        assert clash.status_code == 400


def test_rules_and_silences_survive_a_restart(make_runtime: Callable[..., Runtime]) -> None:
    """What the API created is in the store: a new server on the same data directory has it."""
    first = make_runtime()
    with TestClient(create_app(first)) as client:
        assert client.post("/api/v1/alerts/rules", json=RULE).status_code == 201
        silence = client.post(
            "/api/v1/alerts/silences",
            json={"matchers": {"service": "checkout"}, "duration_s": 3600, "comment": "deploy"},
        )
        assert silence.status_code == 201
        silence_id = silence.json()["id"]
    first.pipeline.close()
    first.store.close()
    second = make_runtime()
    with TestClient(create_app(second)) as client:
        rules = client.get("/api/v1/alerts/rules").json()["rules"]
        assert [(r["name"], r["source"]) for r in rules] == [("checkout-errors", "api")]
        silences = client.get("/api/v1/alerts/silences").json()["silences"]
        assert [(s["id"], s["comment"], s["is_active"]) for s in silences] == [
            (silence_id, "deploy", True)
        ]


def test_silences_are_created_listed_and_deleted(app_client: TestClient) -> None:
    """POST a silence, see it listed as active, DELETE it, and it is gone."""
    body = {
        "matchers": [{"label": "alertname", "op": "=~", "value": "checkout-.*"}],
        "duration_s": 600,
        "created_by": "ana",
    }
    created = app_client.post("/api/v1/alerts/silences", json=body)
    assert created.status_code == 201, created.text
    silence = created.json()
    assert len(silence["id"]) == 16
    assert silence["ends_unix_nano"] - silence["starts_unix_nano"] == 600 * 10**9
    listed = app_client.get("/api/v1/alerts/silences").json()["silences"]
    assert [s["id"] for s in listed] == [silence["id"]]
    gone = app_client.delete(f"/api/v1/alerts/silences/{silence['id']}")
    assert gone.json() == {"id": silence["id"], "deleted": True}
    assert app_client.get("/api/v1/alerts/silences?expired=true").json()["silences"] == []
    bad = app_client.post("/api/v1/alerts/silences", json={"duration_s": 60})
    assert bad.status_code == 400
    assert bad.json()["error"]["location"] == "matchers"


def test_alerts_and_deliveries_answer_empty_lists_on_a_quiet_server(server: RunningServer) -> None:
    """A real server answers the list shapes, with receivers and drop counts."""
    alerts = httpx.get(server.url + "/api/v1/alerts", params={"start": "-1h"}).json()
    assert alerts == {"alerts": [], "events": [], "next": None}
    deliveries = httpx.get(server.url + "/api/v1/alerts/deliveries").json()
    assert deliveries == {"deliveries": [], "receivers": [], "dropped": [], "next": None}
