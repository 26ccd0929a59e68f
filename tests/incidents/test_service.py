"""`IncidentService` over the real store and write-ahead log: records that survive a restart."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nightcall.api.app import Runtime
from nightcall.errors import BadRequest, NotFound
from nightcall.incidents import IncidentService, open_incident_from_alert, parse_severity
from nightcall.model import HypothesisStatus, IncidentEventKind, Phase, Severity

HOUR_NS = 3600 * 10**9


def _service(runtime: Runtime, clock: list[int]) -> IncidentService:
    def now() -> int:
        clock[0] += 10**9  # every change one second after the one before
        return clock[0]

    return IncidentService(runtime.store, runtime.pipeline, now)


def test_an_incident_survives_a_restart(make_runtime: Callable[..., Runtime]) -> None:
    """Opened, moved and annotated in one process; read back whole by the next one."""
    first = make_runtime()
    clock = [1_793_502_000 * 10**9]
    incidents = _service(first, clock)
    opened = incidents.open(title="Checkout is slow", actor="alice", severity=Severity.P2,
                            read_data=False)  # fmt: skip
    assert (opened.id, opened.phase) == ("INC-1", Phase.DETECT)
    incidents.change_phase("inc-1", Phase.TRIAGE, actor="alice", reason="customers report it")
    incidents.add_hypothesis("1", "The database is slow", actor="bob", kind="slow_dependency",
                             service="orders-db")  # fmt: skip
    incidents.update_hypothesis("INC-1", "h1", actor="bob", status=HypothesisStatus.REJECTED,
                                reason="pg_stat_statements is quiet")  # fmt: skip
    incidents.add_note("INC-1", "rolled back payment", actor="carol")
    before = incidents.get("INC-1")
    first.pipeline.close()
    first.store.close()

    second = make_runtime()
    after = _service(second, clock).get("INC-1")
    assert after == before
    assert after.hypotheses[0].status == HypothesisStatus.REJECTED
    assert after.phases[-1].reason == "customers report it"
    assert after.event_count == 5


def test_refused_changes_leave_the_record_alone(runtime: Runtime) -> None:
    """A move the protocol forbids, or a verdict without a reason, writes nothing."""
    incidents = _service(runtime, [10**18])
    incidents.open(title="x", actor="a", read_data=False)
    incidents.add_hypothesis("INC-1", "H", actor="a")
    with pytest.raises(BadRequest, match="the protocol goes detect → triage, closed"):
        incidents.change_phase("INC-1", Phase.FIX, actor="a", reason="")
    with pytest.raises(BadRequest, match="needs a reason"):
        incidents.update_hypothesis("INC-1", "H1", actor="a", status=HypothesisStatus.CONFIRMED)
    with pytest.raises(NotFound, match="has no hypothesis H7") as missing:
        incidents.update_hypothesis("INC-1", "H7", actor="a", note="x")
    assert missing.value.hint == "its hypotheses: H1"
    with pytest.raises(NotFound, match="there is no incident INC-9"):
        incidents.get("9")
    assert incidents.get("INC-1").event_count == 2


def test_alerts_of_one_group_share_an_open_incident(runtime: Runtime) -> None:
    """A re-fired alert is recorded on the open incident; after it closes, a new one opens."""
    incidents = _service(runtime, [10**18])
    fired = 10**18 - HOUR_NS

    def fire(minute: int) -> str:
        return open_incident_from_alert(
            incidents, rule="checkout_p95_high", severity="critical",
            fired_ns=fired + minute * 60 * 10**9, summary="checkout p95 over 2 s",
            runbook_url="https://runbooks/checkout", start_ns=fired - HOUR_NS,
            end_ns=fired + HOUR_NS,
        ).id  # fmt: skip

    first = fire(0)
    assert fire(5) == first
    events = incidents.events(first)
    assert [e.kind for e in events][-1] == IncidentEventKind.ALERT_FIRED
    incident = incidents.get(first)
    assert incident.severity == Severity.P1  # critical opens a P1
    assert incident.source["rule"] == "checkout_p95_high"
    assert incident.title == "checkout p95 over 2 s"
    alerts = [e for e in incidents.timeline(first) if e.kind.value == "alert_fired"]
    assert [a.time_ns - fired for a in alerts] == [0, 5 * 60 * 10**9]
    incidents.close(first, actor="alice", reason="false alarm: a load test")
    assert fire(9) == "INC-2"


def test_severities_read_as_p_levels_or_alert_names() -> None:
    """P0-P4 in any case, and alert severities mapped to them; anything else is refused."""
    assert parse_severity("p0") == Severity.P0
    assert parse_severity("warning") == Severity.P3
    with pytest.raises(BadRequest, match="not a severity"):
        parse_severity("sev1")
