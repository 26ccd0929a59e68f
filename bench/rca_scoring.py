"""Scoring a diagnosis against a scenario's truth: RCAEval AC@k and Avg@5, kinds, calibration.

Pure functions over plain data (the truth file and the API's JSON answer), no I/O, so the tests
can score hand-made answers. Definitions (RCAEval): AC@k is the share of incidents whose true
root-cause service is among the first k ranked services; Avg@5 is the mean of AC@1 ... AC@5.
The ranked services are the answer's `candidates`, or, when it has none, the distinct services
of its `hypotheses` in order.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The hypothesis kind each demo fault should be diagnosed as.
EXPECTED_KIND: dict[str, str] = {
    "slow_dependency": "slow_dependency",
    "deploy_regression": "deploy_regression",
    "cpu_saturation": "cpu_bottleneck",
    "memory_leak": "memory_leak",
    "pool_exhaustion": "resource_exhaustion",
    "periodic_batch_job": "periodic_issue",
    "time_of_day_congestion": "time_of_day_congestion",
    "device_specific_crash": "device_specific_crash",
    "certificate_expiry": "certificate_expiry",
    "cascading_failure": "cascading_failure",
}
BUCKET_EDGES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
NS = 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Truth:
    """A scenario's label: the fault, where and when, and the scenario's whole window."""

    name: str
    fault: str
    service: str
    fault_start_ns: int
    fault_end_ns: int
    window_start_ns: int
    window_end_ns: int

    @property
    def expected_kind(self) -> str:
        return EXPECTED_KIND.get(self.fault, self.fault)

    @property
    def has_onset(self) -> bool:
        """Whether the fault starts at a moment (a time-of-day pattern has no duration)."""
        return self.fault_end_ns > self.fault_start_ns


def truth_of(name: str, truth: Mapping[str, Any]) -> Truth:
    """The label of a `truth.json` (its first fault)."""
    fault = truth["faults"][0]
    return Truth(
        name=name,
        fault=str(fault["fault"]),
        service=str(fault["service"]),
        fault_start_ns=int(fault["start_unix_nano"]),
        fault_end_ns=int(fault["end_unix_nano"]),
        window_start_ns=int(truth["start_unix_nano"]),
        window_end_ns=int(truth["end_unix_nano"]),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """What the engine answered for one scenario, reduced to what is scored."""

    truth: Truth
    services: tuple[str, ...]  # ranked root-cause services, best first
    kinds: tuple[str, ...]  # hypothesis kinds, best first
    top_service: str | None  # the first hypothesis's service
    confidence: float  # the first hypothesis's confidence (0 when there is none)
    onset_ns: int | None
    score: float = 0.0  # the first hypothesis's uncalibrated ranking score
    latency_s: float
    error: str = ""  # why there is no answer (the query failed)

    def service_rank(self) -> int | None:
        """1-based rank of the true service among the ranked services, or None."""
        if self.truth.service in self.services:
            return self.services.index(self.truth.service) + 1
        return None

    @property
    def is_kind_right(self) -> bool:
        return bool(self.kinds) and self.kinds[0] == self.truth.expected_kind

    @property
    def is_kind_in_top3(self) -> bool:
        return self.truth.expected_kind in self.kinds[:3]

    @property
    def is_right(self) -> bool:
        """Top-1 hypothesis names the right kind in the right service."""
        return self.is_kind_right and self.top_service == self.truth.service

    def onset_error_s(self) -> float | None:
        if not self.truth.has_onset or self.onset_ns is None:
            return None
        return abs(self.onset_ns - self.truth.fault_start_ns) / NS


def ranked_services(answer: Mapping[str, Any]) -> tuple[str, ...]:
    """The answer's candidates in order, or the distinct services of its hypotheses."""
    candidates = answer.get("candidates")
    if candidates is not None:
        return tuple(str(c["service"]) for c in candidates)
    seen: dict[str, None] = {}
    for hypothesis in answer.get("hypotheses") or []:
        seen.setdefault(str(hypothesis["service"]), None)
    return tuple(seen)


def outcome_of(truth: Truth, answer: Mapping[str, Any], latency_s: float) -> Outcome:
    """Reduce an API answer (`{"hypotheses": [...], "candidates": [...]}`) to an outcome."""
    hypotheses = answer.get("hypotheses") or []
    top = hypotheses[0] if hypotheses else None
    onset = top.get("onset_unix_nano") if top else None
    return Outcome(
        truth=truth,
        services=ranked_services(answer),
        kinds=tuple(str(h["kind"]) for h in hypotheses),
        top_service=str(top["service"]) if top else None,
        confidence=float(top["confidence"]) if top else 0.0,
        onset_ns=int(onset) if onset is not None else None,
        latency_s=latency_s,
        score=float(top.get("score") or 0.0) if top else 0.0,
    )


def failed_outcome(truth: Truth, error: str, latency_s: float = 0.0) -> Outcome:
    """An outcome for a query that gave no answer: scored as wrong everywhere."""
    return Outcome(
        truth=truth,
        services=(),
        kinds=(),
        top_service=None,
        confidence=0.0,
        onset_ns=None,
        latency_s=latency_s,
        error=error,
    )


def ac_at(outcomes: Sequence[Outcome], k: int) -> float:
    """AC@k: the share whose true service is among the first k ranked services."""
    if not outcomes:
        return math.nan
    hits = sum(1 for o in outcomes if (rank := o.service_rank()) is not None and rank <= k)
    return hits / len(outcomes)


def avg_at_5(outcomes: Sequence[Outcome]) -> float:
    """Avg@5: the mean of AC@1 ... AC@5."""
    return sum(ac_at(outcomes, k) for k in range(1, 6)) / 5


def share(flags: Iterable[bool]) -> float:
    """The share of true flags (NaN for none)."""
    values = list(flags)
    return sum(values) / len(values) if values else math.nan


def finite_or_none(value: float | int) -> float | int | None:
    """A number for JSON: NaN (a score of no scenarios) becomes null."""
    return None if isinstance(value, float) and math.isnan(value) else value


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile with linear interpolation (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True, slots=True, kw_only=True)
class Bucket:
    """One row of the calibration table: stated confidence against the observed share right."""

    low: float
    high: float
    count: int
    mean_confidence: float
    observed: float

    def to_json(self) -> dict[str, float | int | None]:
        return {name: finite_or_none(getattr(self, name)) for name in self.__dataclass_fields__}


def bucket_index(confidence: float) -> int:
    """The calibration bucket of a confidence: [0, 0.2), [0.2, 0.4), ..., [0.8, 1.0]."""
    inner = BUCKET_EDGES[1:-1]
    return sum(1 for edge in inner if confidence >= edge)


def calibration(outcomes: Sequence[Outcome]) -> list[Bucket]:
    """Top-1 confidence in buckets of 0.2 against the share whose kind and service are right."""
    members: list[list[Outcome]] = [[] for _ in BUCKET_EDGES[1:]]
    for outcome in outcomes:
        members[bucket_index(outcome.confidence)].append(outcome)
    return [
        Bucket(
            low=low,
            high=high,
            count=len(inside),
            mean_confidence=mean([o.confidence for o in inside]),
            observed=share(o.is_right for o in inside),
        )
        for (low, high), inside in zip(itertools.pairwise(BUCKET_EDGES), members, strict=True)
    ]


def brier(outcomes: Sequence[Outcome]) -> float:
    """Mean squared gap between the top-1 confidence and whether it was right (0 is perfect)."""
    return mean([(o.confidence - float(o.is_right)) ** 2 for o in outcomes])


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """The scores of a group of scenarios (one fault kind, or all)."""

    count: int
    ac1: float
    ac3: float
    avg5: float
    kind_top1: float
    kind_top3: float
    right: float  # top-1 kind and service both right
    onset_median_s: float
    onset_p90_s: float
    latency_median_s: float
    latency_max_s: float
    failed: int

    def to_json(self) -> dict[str, float | int | None]:
        return {name: finite_or_none(getattr(self, name)) for name in self.__dataclass_fields__}


def summarize(outcomes: Sequence[Outcome]) -> Summary:
    """Every score of the group."""
    onsets = [e for o in outcomes if (e := o.onset_error_s()) is not None]
    latencies = [o.latency_s for o in outcomes if not o.error]
    return Summary(
        count=len(outcomes),
        ac1=ac_at(outcomes, 1),
        ac3=ac_at(outcomes, 3),
        avg5=avg_at_5(outcomes),
        kind_top1=share(o.is_kind_right for o in outcomes),
        kind_top3=share(o.is_kind_in_top3 for o in outcomes),
        right=share(o.is_right for o in outcomes),
        onset_median_s=quantile(onsets, 0.5),
        onset_p90_s=quantile(onsets, 0.9),
        latency_median_s=quantile(latencies, 0.5),
        latency_max_s=max(latencies) if latencies else math.nan,
        failed=sum(1 for o in outcomes if o.error),
    )


def summarize_by_fault(outcomes: Sequence[Outcome]) -> dict[str, Summary]:
    """One summary per fault kind (in the order the kinds first appear), then "all"."""
    kinds = list(dict.fromkeys(o.truth.fault for o in outcomes))
    groups = {kind: summarize([o for o in outcomes if o.truth.fault == kind]) for kind in kinds}
    groups["all"] = summarize(outcomes)
    return groups
