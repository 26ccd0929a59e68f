"""The alert state machine: pending, firing after for_s, resolved, and cleared pendings."""

from __future__ import annotations

from nightcall.alerts import AlertState, Observation, advance
from nightcall.config.alerts import AlertKind, AlertRule, Severity

S = 10**9
CHECKOUT = (("service", "checkout"),)


def _seen(value: float, *, breaching: bool = True) -> list[Observation]:
    return [Observation(group_labels=CHECKOUT, value=value, is_breaching=breaching, summary="s")]


def test_an_alert_is_pending_for_for_s_then_fires_then_resolves() -> None:
    """Breaching starts pending, fires once for_s has passed, and resolves when it stops."""
    rule = AlertRule(
        name="errors",
        kind=AlertKind.THRESHOLD,
        series="error_rate",
        for_s=60,
        severity=Severity.P1,
        labels=(("team", "pay"),),
        runbook_url="https://runbooks.example/errors",
    )
    step = advance(rule, {}, _seen(0.2), 0)
    (pending,) = step.transitions
    assert pending.state == AlertState.PENDING
    assert pending.group_key == 'errors{service="checkout"}'
    assert dict(pending.labels) == {
        "alertname": "errors",
        "service": "checkout",
        "severity": "P1",
        "team": "pay",
    }
    step = advance(rule, step.active, _seen(0.3), 30 * S)
    assert step.transitions == []
    assert step.active[pending.group_key].value == 0.3
    step = advance(rule, step.active, _seen(0.4), 60 * S)
    (firing,) = step.transitions
    assert (firing.state, firing.fired_ns, firing.active_since_ns) == (AlertState.FIRING, 60 * S, 0)
    step = advance(rule, step.active, _seen(0.01, breaching=False), 90 * S)
    (resolved,) = step.transitions
    assert (resolved.state, resolved.resolved_ns, resolved.value) == (
        AlertState.RESOLVED,
        90 * S,
        0.4,
    )
    assert step.active == {}


def test_for_s_zero_fires_at_once_and_a_pending_that_clears_leaves_no_trace() -> None:
    """Without for_s an alert fires on its first breach; a pending one that stops is dropped."""
    now = advance(
        AlertRule(name="x", kind=AlertKind.THRESHOLD, series="requests"), {}, _seen(1.0), 0
    )
    assert [a.state for a in now.transitions] == [AlertState.FIRING]
    slow = AlertRule(name="y", kind=AlertKind.THRESHOLD, series="requests", for_s=300)
    step = advance(slow, {}, _seen(1.0), 0)
    step = advance(slow, step.active, [], 10 * S)  # no data counts as not breaching
    assert step.transitions == []
    assert step.active == {}


def test_a_dedup_key_template_fills_from_labels() -> None:
    """A dedup_key template names the notification several alerts may share."""
    rule = AlertRule(
        name="down",
        kind=AlertKind.THRESHOLD,
        series="requests",
        op="<",
        dedup_key="{service}-outage",
        labels=(("team", "pay"),),
    )
    (alert,) = advance(rule, {}, _seen(0.0), 0).transitions
    assert alert.dedup_key == "checkout-outage"
