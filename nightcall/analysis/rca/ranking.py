"""Ranking candidate root-cause services: BARO-style shift scores, corrected by the call graph.

Every service gets the largest weighted shift score among its own series (its CPU, memory,
pools, latency, errors, log error lines, error events, and its calls to dependencies nobody
else reports on: a database, an external API). Then the call graph takes back what a service
only passed on: when its latency rose because its calls to another service got slower (as its
own client spans show), that share of its latency score is discounted, and likewise its errors
when its calls to another service fail. A callee the callers see slower or failing, while the
callee itself reports nothing of it (or nothing at all), is credited with the callers' view:
the network to it, or a process that stopped answering. The deepest service left standing is
the one that explains its callers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from nightcall.analysis.rca.shifts import SeriesShift
from nightcall.model import SeriesKey, SeriesKind

MIN_SCORE = 3.0  # below this a service is not a candidate at all
_SYMPTOM_WEIGHT = {"requests": 0.3, "calls": 0.3, "log_warnings": 0.5}
_RATE_SUFFIX_WEIGHT = 0.3  # a histogram's observation rate repeats the request rate
_FALL_WEIGHT = 0.3


@dataclass(frozen=True, slots=True, kw_only=True)
class Contribution:
    """One series' part in a service's score: its shift, its weight and why it was weighed so."""

    shift: SeriesShift
    weight: float
    note: str = ""

    @property
    def score(self) -> float:
        return abs(self.shift.z) * self.weight


@dataclass(slots=True, kw_only=True)
class Candidate:
    """A candidate root-cause service, its score and the series behind it, strongest first."""

    service: str
    score: float = 0.0
    contributions: list[Contribution] = field(default_factory=list)
    explained_by: dict[str, float] = field(default_factory=dict)

    def strongest(self, count: int = 5) -> list[Contribution]:
        return sorted(self.contributions, key=lambda c: -c.score)[:count]


# Words of gauges that count work in flight: by Little's law they rise with latency, so a
# service waiting on a slow callee holds more of them without being short of anything.
_IN_FLIGHT_WORDS = ("active", "inflight", "in_flight", "concurrent", "pending", "usage",
                    "thread", "goroutines")  # fmt: skip


def _is_latency(shift: SeriesShift) -> bool:
    name = shift.key.name.lower()
    return shift.kind == SeriesKind.LATENCY or any(w in name for w in _IN_FLIGHT_WORDS)


def _is_error(shift: SeriesShift) -> bool:
    return shift.kind == SeriesKind.ERROR_RATE or shift.key.name in {"log_errors", "error_events"}


def _base_weight(shift: SeriesShift) -> float:
    key = shift.key
    if key.name in _SYMPTOM_WEIGHT:
        return _SYMPTOM_WEIGHT[key.name]
    if key.name.endswith(":rate"):
        return _RATE_SUFFIX_WEIGHT
    if shift.z < 0 and shift.kind != SeriesKind.GAUGE:
        # Faster, fewer errors, less CPU: a fall is rarely a cause (requests failing fast,
        # traffic lost upstream), though it can be the trace of one.
        return _FALL_WEIGHT
    return 1.0


def _rise(shift: SeriesShift | None) -> float:
    """The positive change of a shift in its unit, 0 when it fell or is missing."""
    return max(0.0, shift.change) if shift is not None and shift.z > 0 else 0.0


def rank_services(
    shifts: Mapping[SeriesKey, SeriesShift], services: Iterable[str]
) -> list[Candidate]:
    """Services ranked by how well their own series explain the incident, best first."""
    known = set(services)
    candidates = {s: Candidate(service=s) for s in known}
    caller_side = caller_side_services(shifts, known)
    latency_share, error_share = _explained_shares(shifts, known, caller_side)
    for key, shift in shifts.items():
        service = key.service
        if not service:
            continue
        dependency = key.label("dependency")
        if dependency in known:
            if not (service in caller_side and key.name == "call_latency_p95"):
                _credit_callee(candidates, shifts, shift, dependency)
            continue
        weight, note = _base_weight(shift), ""
        if _is_latency(shift) and latency_share.get(service, 0.0) > 0:
            share = latency_share[service]
            weight *= 1.0 - 0.9 * share
            note = f"{share:.0%} of the rise is time spent waiting on other services"
        elif _is_error(shift) and error_share.get(service, 0.0) > 0:
            share = error_share[service]
            weight *= 1.0 - 0.9 * share
            note = f"{share:.0%} of the errors come from failing calls to other services"
        candidate = candidates.setdefault(service, Candidate(service=service))
        candidate.contributions.append(Contribution(shift=shift, weight=weight, note=note))
    for candidate in candidates.values():
        strongest = candidate.strongest(1)
        candidate.score = round(strongest[0].score, 3) if strongest else 0.0
        candidate.explained_by = {
            "latency": latency_share.get(candidate.service, 0.0),
            "errors": error_share.get(candidate.service, 0.0),
        }
    ranked = [c for c in candidates.values() if c.score >= MIN_SCORE]
    ranked.sort(key=lambda c: (-c.score, c.service))
    return ranked


def caller_side_services(shifts: Mapping[SeriesKey, SeriesShift], known: set[str]) -> set[str]:
    """Services whose calls to two or more callees got slower while those callees did not.

    One slow path is the network to that callee (or the callee not answering); every path
    slow at once is the caller itself: its CPU, its runtime pausing, its own queue.
    """
    gaps: dict[str, int] = defaultdict(int)
    for key, shift in shifts.items():
        callee = key.label("dependency")
        if key.name != "call_latency_p95" or callee not in known or _rise(shift) <= 0:
            continue
        own = shifts.get(SeriesKey.of("latency_p95", {"service": callee}))
        if _rise(shift) - _rise(own) >= 0.5 * _rise(shift):
            gaps[key.service] += 1
    return {service for service, count in gaps.items() if count >= 2}


def _explained_shares(
    shifts: Mapping[SeriesKey, SeriesShift], known: set[str], caller_side: set[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Per service: the share of its latency rise and of its error rise its callees account for.

    For a caller-side service only what the callees themselves report counts as waiting.
    """
    own_latency = {k.service: s for k, s in shifts.items() if k.name == "latency_p95"}
    own_errors = {k.service: s for k, s in shifts.items() if k.name == "error_rate"}
    waited: dict[str, float] = defaultdict(float)
    failed: dict[str, float] = defaultdict(float)
    for key, shift in shifts.items():
        callee = key.label("dependency")
        if callee not in known:
            continue
        if key.name == "call_latency_p95":
            rise = _rise(shift)
            if key.service in caller_side:
                rise = min(rise, _rise(own_latency.get(callee)))
            waited[key.service] = max(waited[key.service], rise)
        elif key.name == "call_error_rate":
            failed[key.service] = max(failed[key.service], _rise(shift))
    latency = {
        s: min(1.0, waited[s] / _rise(own)) for s, own in own_latency.items() if _rise(own) > 0
    }
    errors = {
        s: min(1.0, failed[s] / _rise(own)) for s, own in own_errors.items() if _rise(own) > 0
    }
    return latency, errors


def _credit_callee(
    candidates: dict[str, Candidate],
    shifts: Mapping[SeriesKey, SeriesShift],
    seen_by_caller: SeriesShift,
    callee: str,
) -> None:
    """Credit the callee with what its callers saw and it did not report (network, dead process)."""
    own_name = {"call_latency_p95": "latency_p95", "call_error_rate": "error_rate"}.get(
        seen_by_caller.key.name
    )
    if own_name is None or seen_by_caller.z <= 0:
        return
    own = shifts.get(SeriesKey.of(own_name, {"service": callee}))
    caller_rise = _rise(seen_by_caller)
    unexplained = 1.0 if caller_rise <= 0 else max(0.0, 1.0 - _rise(own) / caller_rise)
    if unexplained < 0.5:
        return  # the callee's own spans show the change: its own series carry the score
    what = "slower" if own_name == "latency_p95" else "failing"
    note = (
        f"{seen_by_caller.service} sees calls to {callee} {what}, which {callee}'s own spans"
        f" do not show ({unexplained:.0%} unexplained): the network, or a process not answering"
    )
    candidate = candidates.setdefault(callee, Candidate(service=callee))
    candidate.contributions.append(
        Contribution(shift=seen_by_caller, weight=0.9 * unexplained, note=note)
    )
