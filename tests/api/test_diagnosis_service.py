"""The continuous diagnosis tells a listener every round's hypotheses (alerting listens)."""

from __future__ import annotations

from nightcall.api.app import Runtime
from nightcall.api.diagnosis_service import DiagnosisService
from nightcall.model import Hypothesis


def test_each_round_is_told_to_the_listener_with_its_time(runtime: Runtime) -> None:
    """evaluate() hands the listener the round's hypotheses (none on an empty store) and its end."""
    rounds: list[tuple[list[Hypothesis], int]] = []
    service = DiagnosisService(
        runtime.store,
        runtime.pipeline,
        lambda: 1_800_000_000 * 10**9,
        on_hypotheses=lambda found, end: rounds.append((found, end)),
    )
    assert service.evaluate(600) == []
    assert rounds == [([], 1_800_000_000 * 10**9)]
