"""The alerting API: rules, alerts (firing and recent), silences and delivery attempts.

GET    /api/v1/alerts/rules              {"rules": [...]}   configured and API-made
POST   /api/v1/alerts/rules              a rule (docs/alerts.md); same name replaces it
DELETE /api/v1/alerts/rules/{name}
GET    /api/v1/alerts                    {"alerts": [pending, firing], "events": [recent]}
GET    /api/v1/alerts/silences           {"silences": [...]}
POST   /api/v1/alerts/silences           {"matchers": ..., "duration_s" | "ends_at", ...}
DELETE /api/v1/alerts/silences/{id}
GET    /api/v1/alerts/deliveries         {"deliveries": [every attempt], "dropped": {...}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from starlette.responses import JSONResponse

from nightcall.alerts import (
    AlertEngine,
    alert_json,
    recent_deliveries,
    recent_events,
    silence_json,
)
from nightcall.api.params import Limit, TimeParam, request_window
from nightcall.config.alerts import rule_json

_RULE_EXAMPLE = {
    "name": "checkout-errors",
    "kind": "threshold",
    "series": "error_rate",
    "match": {"service": "checkout"},
    "op": ">",
    "threshold": 0.05,
    "for_s": 120,
    "severity": "P2",
    "runbook_url": "https://wiki.example/runbooks/checkout-errors",
}
_SILENCE_EXAMPLE = {
    "matchers": [{"label": "service", "op": "=", "value": "checkout"}],
    "duration_s": 3600,
    "created_by": "ana",
    "comment": "deploy window",
}


def alerts_router(engine: AlertEngine, now_ns: Callable[[], int]) -> APIRouter:
    """Routes bound to one alert engine and one clock."""
    router = APIRouter(prefix="/api/v1/alerts", tags=["alerts"])
    catalog = engine.catalog

    @router.get("/rules", summary="Alert rules in force: from nightcall.toml and the API")
    def list_rules() -> dict[str, Any]:
        errors = engine.rule_errors()
        rules = [
            {
                **rule_json(entry.rule),
                "source": entry.source,
                "last_error": errors.get(entry.rule.name),
            }
            for entry in catalog.rules()
        ]
        return {"rules": rules, "next": None}

    @router.post(
        "/rules",
        summary="Create an alert rule (kept in the store); a rule of the same name is replaced",
        status_code=201,
    )
    def create_rule(
        rule: Annotated[dict[str, Any], Body(examples=[_RULE_EXAMPLE])],
    ) -> JSONResponse:
        created, replaced = catalog.put_rule(rule, now_ns())
        body = {**rule_json(created), "source": "api", "replaced": replaced}
        return JSONResponse(body, status_code=200 if replaced else 201)

    @router.delete("/rules/{name}", summary="Delete an alert rule made through the API")
    def delete_rule(name: str) -> dict[str, Any]:
        deleted = catalog.delete_rule(name, now_ns())
        return {"name": deleted.name, "deleted": True}

    @router.get("", summary="Pending and firing alerts now, and the recent alert events")
    def list_alerts(
        start: TimeParam = None,
        end: TimeParam = None,
        rule: Annotated[str | None, Query(description="Only this rule's alerts.")] = None,
        limit: Limit = 100,
    ) -> dict[str, Any]:
        window = request_window(start, end, now_ns=now_ns(), default_start="-24h")
        active = [
            {**alert_json(alert), "silenced": silenced}
            for alert, silenced in engine.active_alerts()
            if rule is None or alert.rule == rule
        ]
        events = recent_events(engine.store, window, limit=limit, rule=rule)
        return {"alerts": active, "events": events, "next": None}

    @router.get("/silences", summary="Silences in force (with expired=true, also past ones)")
    def list_silences(
        expired: Annotated[bool, Query(description="Include expired silences.")] = False,
    ) -> dict[str, Any]:
        now = now_ns()
        found = catalog.silences(now, include_expired=expired)
        return {"silences": [silence_json(s, now) for s in found], "next": None}

    @router.post(
        "/silences", summary="Silence alerts whose labels match, until it expires", status_code=201
    )
    def create_silence(
        silence: Annotated[dict[str, Any], Body(examples=[_SILENCE_EXAMPLE])],
    ) -> dict[str, Any]:
        now = now_ns()
        return silence_json(catalog.add_silence(silence, now), now)

    @router.delete("/silences/{silence_id}", summary="Delete a silence")
    def delete_silence(silence_id: str) -> dict[str, Any]:
        deleted = catalog.delete_silence(silence_id, now_ns())
        return {"id": deleted.silence_id, "deleted": True}

    @router.get("/deliveries", summary="Every delivery attempt: receiver, status, error, time")
    def list_deliveries(
        start: TimeParam = None,
        end: TimeParam = None,
        receiver: Annotated[str | None, Query(description="Only this receiver's.")] = None,
        limit: Limit = 100,
    ) -> dict[str, Any]:
        window = request_window(start, end, now_ns=now_ns(), default_start="-24h")
        dispatcher = engine.dispatcher
        return {
            "deliveries": recent_deliveries(engine.store, window, limit=limit, receiver=receiver),
            "receivers": dispatcher.receivers,
            "dropped": [
                {"receiver": name, "reason": reason, "count": count}
                for (name, reason), count in sorted(dispatcher.dropped.items())
            ],
            "next": None,
        }

    return router
