"""What the hypothesis rules look at for one window: shifts, findings, changes, call graph."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from nightcall.analysis.rca import Candidate, SeriesShift
from nightcall.explain.telemetry import Telemetry
from nightcall.model import Finding, FindingKind, Series, SeriesKey


@dataclass(slots=True, kw_only=True)
class Context:
    """The shared inputs of the rules, indexed the ways they are asked for."""

    telemetry: Telemetry
    onset_ns: int
    shifts: dict[SeriesKey, SeriesShift]
    findings: list[Finding]
    candidates: list[Candidate]
    series_by_key: dict[SeriesKey, Series] = field(default_factory=dict)
    findings_by_key: dict[SeriesKey, list[Finding]] = field(default_factory=dict)
    callees: dict[str, set[str]] = field(default_factory=dict)
    callers: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.series_by_key = {s.key: s for s in self.telemetry.series}
        by_key: dict[SeriesKey, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            by_key[finding.series].append(finding)
        self.findings_by_key = dict(by_key)
        known = set(self.telemetry.services)
        callees: dict[str, set[str]] = defaultdict(set)
        callers: dict[str, set[str]] = defaultdict(set)
        for key in self.series_by_key:
            dependency = key.label("dependency")
            if key.name == "calls" and dependency in known and dependency != key.service:
                callees[key.service].add(dependency)
                callers[dependency].add(key.service)
        self.callees, self.callers = dict(callees), dict(callers)

    @property
    def known_services(self) -> set[str]:
        return set(self.telemetry.services)

    def shift(self, name: str, service: str, **labels: str) -> SeriesShift | None:
        return self.shifts.get(SeriesKey.of(name, {"service": service, **labels}))

    def service_shifts(self, service: str) -> list[SeriesShift]:
        return [s for k, s in self.shifts.items() if k.service == service]

    def recurring(self, service: str) -> list[Finding]:
        return [
            f
            for key, found in self.findings_by_key.items()
            if key.service == service
            for f in found
            if f.is_recurring and f.kind in (FindingKind.PERIODIC, FindingKind.TIME_OF_DAY)
        ]

    def upstream(self, service: str) -> set[str]:
        """Every service that calls `service`, directly or through others."""
        seen: set[str] = set()
        todo = [service]
        while todo:
            for caller in self.callers.get(todo.pop(), set()):
                if caller not in seen and caller != service:
                    seen.add(caller)
                    todo.append(caller)
        return seen

    def downstream(self, service: str) -> set[str]:
        """Every service `service` calls, directly or through others."""
        seen: set[str] = set()
        todo = [service]
        while todo:
            for callee in self.callees.get(todo.pop(), set()):
                if callee not in seen and callee != service:
                    seen.add(callee)
                    todo.append(callee)
        return seen
