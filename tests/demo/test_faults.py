"""The fault catalogue is complete and consistent: every kind has effects, placements, truth."""

from __future__ import annotations

import pytest

from nightcall.demo.effects import EFFECTS, conditions_at
from nightcall.demo.faults import CATALOGUE, FaultKind, expected_signals, make_fault, parse_kind
from nightcall.demo.traffic import DayCurve
from nightcall.demo.truth import fault_truth
from nightcall.errors import UserError

CURVE = DayCurve(day_s=3600, mean_rate_per_s=4)


@pytest.mark.parametrize("kind", list(FaultKind))
def test_every_kind_can_go_everywhere_it_claims(kind: FaultKind) -> None:
    """Each kind has an effect, and a fault in each allowed service has expected signals."""
    assert kind in CATALOGUE
    assert kind in EFFECTS
    for service in CATALOGUE[kind].services:
        fault = make_fault(kind, service, start_s=600, duration_s=600, curve=CURVE)
        signals = expected_signals(fault)
        assert signals
        assert all(
            s.signal in {"metric", "trace", "log", "error_event", "resource"} for s in signals
        )
        truth = fault_truth(fault, origin_ns=0)
        assert truth["start_unix_nano"] < truth["end_unix_nano"]
        assert truth["start"].endswith("Z")


@pytest.mark.parametrize("kind", list(FaultKind))
def test_faults_change_nothing_outside_their_window_and_service(kind: FaultKind) -> None:
    """Before a fault starts, and in other services, conditions are the healthy ones."""
    fault = make_fault(kind, None, start_s=1800, duration_s=600, curve=CURVE)
    healthy = conditions_at([], fault.service, 10)
    assert conditions_at([fault], fault.service, min(10, fault.start_s - 1)) == healthy
    other = "frontend" if fault.service != "frontend" else "cart"
    assert conditions_at([fault], other, fault.start_s + 300) == conditions_at([], other, 0)
    assert conditions_at([fault], fault.service, fault.start_s + 300) != healthy


def test_bad_names_list_the_choices() -> None:
    """An unknown kind or a service the fault cannot go in names the valid choices."""
    with pytest.raises(UserError, match="no fault kind") as bad_kind:
        parse_kind("disk_full")
    assert "memory_leak" in (bad_kind.value.hint or "")
    with pytest.raises(UserError, match="cannot go in") as bad_service:
        make_fault(FaultKind.POOL_EXHAUSTION, "cart", start_s=0, duration_s=60, curve=CURVE)
    assert "catalog" in (bad_service.value.hint or "")
