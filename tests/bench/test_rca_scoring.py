"""The evaluation's scoring: RCAEval AC@k and Avg@5, kind accuracy, onset error, calibration."""

from __future__ import annotations

import math
from typing import Any

import pytest

from bench.rca_scoring import (
    Outcome,
    Truth,
    ac_at,
    avg_at_5,
    brier,
    calibration,
    failed_outcome,
    outcome_of,
    quantile,
    ranked_services,
    summarize_by_fault,
    truth_of,
)

NS = 1_000_000_000
ORIGIN = 1_800_000_000 * NS


def _truth(fault: str = "memory_leak", service: str = "cart", name: str = "s-01") -> Truth:
    return Truth(
        name=name,
        fault=fault,
        service=service,
        fault_start_ns=ORIGIN + 1200 * NS,
        fault_end_ns=ORIGIN + 2700 * NS,
        window_start_ns=ORIGIN,
        window_end_ns=ORIGIN + 3600 * NS,
    )


def _answer(*hypotheses: tuple[str, str, float], candidates: list[str] | None = None) -> Any:
    answer: dict[str, Any] = {
        "hypotheses": [
            {"kind": kind, "service": service, "confidence": confidence,
             "onset_unix_nano": ORIGIN + 1260 * NS}
            for kind, service, confidence in hypotheses
        ],
        "window": {},
    }  # fmt: skip
    if candidates is not None:
        answer["candidates"] = [{"service": s, "score": 1.0} for s in candidates]
    return answer


def _outcome(rank_of_truth: int | None, *, fault: str = "memory_leak") -> Outcome:
    others = ["frontend", "checkout", "payment", "shipping", "catalog"]
    services = others[:]
    if rank_of_truth is not None:
        services.insert(rank_of_truth - 1, "cart")
    answer = _answer(("memory_leak", services[0], 0.7), candidates=services)
    return outcome_of(_truth(fault), answer, latency_s=0.5)


def test_truth_of_reads_the_first_fault_and_the_window() -> None:
    """A truth file's first fault gives the label; its own start and end give the window."""
    truth = truth_of(
        "scenario-04",
        {
            "start_unix_nano": ORIGIN,
            "end_unix_nano": ORIGIN + 3600 * NS,
            "faults": [
                {"fault": "cpu_saturation", "service": "catalog",
                 "start_unix_nano": ORIGIN + 60 * NS, "end_unix_nano": ORIGIN + 960 * NS}
            ],
        },
    )  # fmt: skip
    assert truth.expected_kind == "cpu_bottleneck"
    assert (truth.window_start_ns, truth.window_end_ns) == (ORIGIN, ORIGIN + 3600 * NS)
    assert truth.has_onset


def test_ranked_services_prefer_candidates_then_distinct_hypothesis_services() -> None:
    """Candidates give the ranking; without them, hypotheses' services in order, once each."""
    hypotheses = (("memory_leak", "cart", 0.8), ("error_surge", "frontend", 0.4),
                  ("latency_regression", "cart", 0.3))  # fmt: skip
    assert ranked_services(_answer(*hypotheses, candidates=["payment", "cart"])) == (
        "payment",
        "cart",
    )
    assert ranked_services(_answer(*hypotheses)) == ("cart", "frontend")


def test_ac_at_k_and_avg_at_5_follow_rcaeval() -> None:
    """AC@k counts the true service in the top k; Avg@5 averages AC@1..AC@5."""
    outcomes = [_outcome(1), _outcome(2), _outcome(4), _outcome(None)]
    assert ac_at(outcomes, 1) == 0.25
    assert ac_at(outcomes, 3) == 0.5
    assert ac_at(outcomes, 5) == 0.75
    assert avg_at_5(outcomes) == pytest.approx((0.25 + 0.5 + 0.5 + 0.75 + 0.75) / 5)
    assert math.isnan(ac_at([], 1))


def test_kind_and_service_decide_what_is_right() -> None:
    """Top-1 is right only with the mapped kind in the true service; top 3 counts the kind."""
    truth = _truth("pool_exhaustion", "payment")
    right = outcome_of(truth, _answer(("resource_exhaustion", "payment", 0.9)), 1.0)
    wrong_service = outcome_of(truth, _answer(("resource_exhaustion", "checkout", 0.9)), 1.0)
    two = _answer(("slow_dependency", "payment", 0.6), ("resource_exhaustion", "payment", 0.5))
    second = outcome_of(truth, two, 1.0)
    assert right.is_right
    assert wrong_service.is_kind_right
    assert not wrong_service.is_right
    assert not second.is_kind_right
    assert second.is_kind_in_top3


def test_onset_error_is_the_gap_to_the_fault_start() -> None:
    """The onset error is |onset - fault start| in seconds, and absent without a hypothesis."""
    outcome = outcome_of(_truth(), _answer(("memory_leak", "cart", 0.8)), 1.0)
    assert outcome.onset_error_s() == 60.0
    assert failed_outcome(_truth(), "503").onset_error_s() is None


def test_calibration_buckets_confidence_against_the_share_right() -> None:
    """Confidences fall in five buckets (1.0 in the last); a missing answer counts as 0, wrong."""
    truth = _truth()
    outcomes = [
        outcome_of(truth, _answer(("memory_leak", "cart", 0.9)), 1.0),
        outcome_of(truth, _answer(("memory_leak", "cart", 1.0)), 1.0),
        outcome_of(truth, _answer(("cpu_bottleneck", "cart", 0.85)), 1.0),
        outcome_of(truth, _answer(("memory_leak", "cart", 0.3)), 1.0),
        failed_outcome(truth, "no answer"),
    ]
    buckets = calibration(outcomes)
    assert [b.count for b in buckets] == [1, 1, 0, 0, 3]
    assert buckets[4].observed == pytest.approx(2 / 3)
    assert buckets[1].observed == 1.0
    assert math.isnan(buckets[2].observed)
    expected = (0.1**2 + 0.0 + 0.85**2 + 0.7**2 + 0.0) / 5
    assert brier(outcomes) == pytest.approx(expected)


def test_summaries_group_by_fault_and_count_failures() -> None:
    """One summary per fault kind plus "all"; failed queries score as wrong and are counted."""
    outcomes = [_outcome(1), _outcome(3, fault="cpu_saturation"),
                failed_outcome(_truth("cpu_saturation", "cart"), "500")]  # fmt: skip
    groups = summarize_by_fault(outcomes)
    assert list(groups) == ["memory_leak", "cpu_saturation", "all"]
    assert groups["cpu_saturation"].failed == 1
    assert groups["cpu_saturation"].ac3 == 0.5
    assert groups["all"].ac1 == pytest.approx(1 / 3)
    assert groups["all"].to_json()["count"] == 3


def test_quantile_interpolates() -> None:
    """Quantiles interpolate between ranks; no values give NaN."""
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([5.0], 0.9) == 5.0
    assert math.isnan(quantile([], 0.5))
