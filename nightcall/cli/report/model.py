"""The debug report as records: what `build_report` derives from the API and the renderers print.

Numbers stay numbers here (formatting is the renderers' job), times are Unix nanoseconds, and
every record says which window it covers, so text, Markdown and HTML print the same facts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

SignalGroup = Literal["red", "cpu", "memory", "pool"]
# Log severities as the report counts them, most severe first; anything else is "other".
LOG_LEVELS = ("fatal", "error", "warn", "info", "debug", "trace", "other")


@dataclass(frozen=True, slots=True, kw_only=True)
class StepSeries:
    """Values at `start_ns + i * step_ns`; None where the step had no data."""

    start_ns: int
    step_ns: int
    values: tuple[float | None, ...]

    def present(self) -> list[float]:
        """The values that exist and are finite."""
        return [v for v in self.values if v is not None and math.isfinite(v)]


@dataclass(frozen=True, slots=True, kw_only=True)
class SignalSummary:
    """One series of one service over the window: its average, lowest and highest step."""

    service: str
    signal: str  # `requests`, `error_rate`, `latency_p95`, or a metric name with its labels
    group: SignalGroup
    unit: str
    avg: float | None
    low: float | None
    high: float | None
    series: StepSeries


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceEvents:
    """What one service sent in the window, counted."""

    service: str
    spans: int = 0
    error_spans: int = 0
    requests: int = 0
    errors: int = 0
    log_lines: tuple[tuple[str, int], ...] = ()  # (a LOG_LEVELS entry, lines), most severe first
    error_events: int = 0
    error_groups: int = 0

    def logs_at(self, level: str) -> int:
        return sum(n for name, n in self.log_lines if name == level)


@dataclass(frozen=True, slots=True, kw_only=True)
class AnomalySummary:
    """One anomaly the detectors agreed on."""

    service: str
    series: str
    name: str
    dependency: str  # the callee of a call series (`call_error_rate{dependency=...}`), else ""
    direction: str
    baseline: float
    observed: float
    unit: str
    onset_ns: int
    start_ns: int
    end_ns: int
    score: float
    voters: tuple[str, ...]
    query: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HypothesisSummary:
    """One ranked hypothesis with what to check first and how to stabilize."""

    rank: int
    kind: str
    service: str
    confidence: float
    statement: str
    impact: str
    onset_ns: int
    evidence: tuple[str, ...]
    steps: tuple[str, ...]
    stabilize: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagnosisSummary:
    """The diagnosis of one window."""

    start_ns: int
    end_ns: int
    step_s: float
    onset_ns: int | None
    series_count: int
    hypotheses: tuple[HypothesisSummary, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorGroupSummary:
    """One error group of the window."""

    fingerprint: str
    title: str
    level: str
    services: tuple[str, ...]
    count: int
    first_seen_ns: int | None
    is_new: bool
    is_regression: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateSummary:
    """A log template first seen inside the window."""

    service: str
    template: str
    severity: str
    count: int
    first_seen_ns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    """Something to do, for a service, and the data it comes from."""

    service: str
    action: str
    check: str  # how to confirm or look closer: a `command`, or a step with its commands
    basis: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Everything the debug report prints."""

    start_ns: int
    end_ns: int
    generated_ns: int
    step_ns: int
    services: tuple[ServiceEvents, ...]
    red: tuple[SignalSummary, ...]
    resources: tuple[SignalSummary, ...]
    anomalies: tuple[AnomalySummary, ...]
    recurring_anomalies: int
    diagnosis: DiagnosisSummary
    recent: DiagnosisSummary | None
    error_groups: tuple[ErrorGroupSummary, ...]
    error_events: int
    new_templates: tuple[TemplateSummary, ...]
    are_logs_counted: bool  # False: log records exist that no template counts
    recommendations: tuple[Recommendation, ...]
    notes: tuple[str, ...]

    def totals(self) -> ServiceEvents:
        """Every service's counts added up (service "all")."""
        lines = {level: sum(s.logs_at(level) for s in self.services) for level in LOG_LEVELS}
        return ServiceEvents(
            service="all",
            spans=sum(s.spans for s in self.services),
            error_spans=sum(s.error_spans for s in self.services),
            requests=sum(s.requests for s in self.services),
            errors=sum(s.errors for s in self.services),
            log_lines=tuple((level, n) for level, n in lines.items() if n),
            error_events=self.error_events,
            error_groups=len({g.fingerprint for g in self.error_groups}),
        )
