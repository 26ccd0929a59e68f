"""A hypothesis: a candidate explanation of an incident, ranked, with its evidence and next steps.

Shaped as the System Debugging Protocol asks: a root cause (`kind` in `service`), its first
symptom, its impact; a confidence calibrated on labelled scenarios; the evidence a person can
check (numbers, windows, the queries and ids behind them); what to check next (`steps`), what
would stop the bleeding (`stabilize`), and the diagnostics that would confirm or reject it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class HypothesisKind(StrEnum):
    """The named kinds of root cause nightcall can propose."""

    CPU_BOTTLENECK = "cpu_bottleneck"
    MEMORY_LEAK = "memory_leak"
    CASCADING_FAILURE = "cascading_failure"
    PERIODIC_ISSUE = "periodic_issue"
    SLOW_DEPENDENCY = "slow_dependency"
    DEPLOY_REGRESSION = "deploy_regression"
    RESOURCE_EXHAUSTION = "resource_exhaustion"
    TIME_OF_DAY_CONGESTION = "time_of_day_congestion"
    GC_OR_MEMORY_RECLAIM_PAUSE = "gc_or_memory_reclaim_pause"
    SYSCALL_OR_CONTEXT_SWITCH_STORM = "syscall_or_context_switch_storm"
    NETWORK_DEGRADATION = "network_degradation"
    CERTIFICATE_EXPIRY = "certificate_expiry"
    DEVICE_SPECIFIC_CRASH = "device_specific_crash"
    ERROR_SURGE = "error_surge"  # errors rose in the service itself, no more specific kind fits
    LATENCY_REGRESSION = "latency_regression"  # it got slower in itself, no more specific kind


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceItem:
    """One checkable fact behind a hypothesis, as the API shows it.

    `value` is the number or id; `query` the way to redo the check (an API path or SQL);
    `start_ns`/`end_ns` the window it holds for, when it has one.
    """

    label: str
    value: float | str | None = None
    unit: str = ""
    detail: str = ""
    query: str = ""
    start_ns: int | None = None
    end_ns: int | None = None

    def to_json(self) -> dict[str, Any]:
        item: dict[str, Any] = {"label": self.label, "value": self.value}
        for name in ("unit", "detail", "query"):
            if getattr(self, name):
                item[name] = getattr(self, name)
        if self.start_ns is not None:
            item["start_unix_nano"] = self.start_ns
        if self.end_ns is not None:
            item["end_unix_nano"] = self.end_ns
        return item


@dataclass(frozen=True, slots=True, kw_only=True)
class Hypothesis:
    """A ranked candidate root cause with its confidence, evidence and investigation steps."""

    kind: HypothesisKind
    service: str
    confidence: float
    statement: str
    onset_ns: int
    symptom: str
    impact: str
    evidence: tuple[EvidenceItem, ...]
    steps: tuple[str, ...]
    stabilize: tuple[str, ...] = ()
    diagnostics: tuple[str, ...] = ()
    target: str = ""  # the dependency, endpoint, pool or device it points at, when it has one
    score: float = 0.0  # the uncalibrated ranking score, kept for evaluation
