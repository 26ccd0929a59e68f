"""Anomaly detectors on a synthetic labelled set: precision, recall, F1, onset error, runtime.

    .venv/bin/python bench/eval_anomalies.py [--seeds 12] [--quick]

These are synthetic figures, for tuning and for catching regressions; the real evaluation
comes with the demo's labelled scenarios (issue 6). The set holds steps, ramps (leaks), lone
spikes, periodic bursts with jitter, evening windows over three days, and noise only, at three
noise levels with Gaussian and heavy-tailed (Student t, 3 d.o.f.) noise.

A finding is a true positive when it overlaps a labelled event of a type its detector is for,
incidental when it overlaps an event of another type (a change point on a periodic burst: true,
but not what it is for; left out of precision), and a false positive when it overlaps no
event. The consensus is for incidents only (steps, and leaks that cross their threshold): on
spikes, periodic bursts and daily patterns an ANOMALY counts as a false positive, a page
nobody wanted. The same-run baseline is a plain 3-sigma rule (mean and standard deviation of
the whole series), the method the robust detectors replace.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from nightcall.analysis.anomalies import AnomalyConfig, detect_anomalies, detect_change_points
from nightcall.model import Finding, FindingKind, Series, SeriesKey, SeriesKind
from nightcall.store.queries_traces import Window

T0_NS = 1_767_225_600 * 10**9  # a midnight, so the evening windows fall on the hours
MINUTE_NS = 60 * 10**9
# Where a detector's onset means the event's start (a threshold fires when crossed, later).
ONSET_TYPES = {"robust": {"step"}, "changepoint": {"step"}, "trend": {"ramp"},
               "periodic": {"periodic"}, "consensus": {"step", "ramp"}}  # fmt: skip
TARGETS = {
    "threshold": {"step", "ramp"},
    "robust": {"step", "spike"},
    "changepoint": {"step"},
    "trend": {"ramp"},
    "periodic": {"periodic"},
    "time_of_day": {"seasonal"},
    "consensus": {"step", "ramp"},
    "3-sigma baseline": {"step", "spike"},
}


@dataclass
class Case:
    """One labelled series: its type, its event windows (grid indices), and the true onset."""

    kind: str
    series: Series
    events: list[tuple[int, int]]
    onset: int | None
    is_incident: bool
    step_ns: int


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    incidental: int = 0
    relevant: int = 0
    found: int = 0
    onset_errors: list[int] = field(default_factory=list)
    false_by_type: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _noise(rng: np.random.Generator, n: int, sigma: float, heavy: bool) -> np.ndarray:
    if heavy:
        return np.asarray(rng.standard_t(3, n) * sigma / np.sqrt(3.0), dtype=np.float64)
    return rng.normal(0.0, sigma, n)


def _series(values: np.ndarray, kind: SeriesKind, unit: str, step_ns: int, name: str) -> Series:
    return Series(
        key=SeriesKey.of(name, {"service": "synthetic"}),
        times_ns=tuple(T0_NS + i * step_ns for i in range(len(values))),
        values=tuple(float(v) for v in values),
        unit=unit,
        kind=kind,
    )


def make_cases(seeds: int) -> list[Case]:
    """The labelled set: six types x three noise levels x two noise shapes x `seeds`."""
    cases = []
    for seed in range(seeds):
        for level_i, noise_frac in enumerate((0.02, 0.05, 0.1)):
            for heavy in (False, True):
                rng = np.random.default_rng(seed * 100 + level_i * 10 + int(heavy))
                cases.extend(_one_of_each(rng, noise_frac, heavy))
    return cases


def _one_of_each(rng: np.random.Generator, frac: float, heavy: bool) -> list[Case]:
    n = 720
    out = []
    # step: latency in ms, up or down by 6-12 noise deviations
    sigma = 200.0 * frac
    values = 200.0 + _noise(rng, n, sigma, heavy)
    onset = int(rng.integers(n // 3, int(n * 0.85)))
    values[onset:] += rng.choice([-1, 1]) * rng.uniform(6, 12) * sigma
    out.append(Case("step", _series(values, SeriesKind.LATENCY, "ms", MINUTE_NS, "lat"),
                    [(onset, n)], onset, True, MINUTE_NS))  # fmt: skip
    # ramp: memory % from 50 to 70-95, starting in the first half; an incident once over 85 %
    sigma = 1.0 + 10 * frac
    start = int(rng.integers(0, n // 2))
    end_level = rng.uniform(70, 95)
    values = 50.0 + _noise(rng, n, sigma, heavy)
    values[start:] += np.linspace(0, end_level - 50, n - start)
    out.append(Case("ramp", _series(values, SeriesKind.MEMORY, "%", MINUTE_NS, "mem"),
                    [(start, n)], start, bool(values.max() > 85), MINUTE_NS))  # fmt: skip
    # spike: one or two points, 10-20 deviations
    sigma = 100.0 * frac
    values = 100.0 + _noise(rng, n, sigma, heavy)
    at, width = int(rng.integers(n // 4, n - 3)), int(rng.integers(1, 3))
    values[at : at + width] += rng.uniform(10, 20) * sigma
    out.append(Case("spike", _series(values, SeriesKind.GAUGE, "", MINUTE_NS, "gauge"),
                    [(at, at + width)], at, False, MINUTE_NS))  # fmt: skip
    # periodic: bursts every 5-30 minutes, ±10% jitter, 2-4 points, 8-15 deviations
    sigma = 20.0 * frac
    values = 20.0 + _noise(rng, n, sigma, heavy)
    period = int(rng.integers(5, 31))
    first = position = int(rng.integers(0, period))
    while position < n - 4:
        width = int(rng.integers(2, 5))
        values[position : position + width] += rng.uniform(8, 15) * sigma
        position += period + int(rng.integers(-(period // 10), period // 10 + 1))
    out.append(Case("periodic", _series(values, SeriesKind.UTILIZATION, "%", MINUTE_NS, "cpu"),
                    [(first, n)], first, False, MINUTE_NS))  # fmt: skip
    # seasonal: three days at 2-minute steps, a 2-3 hour window at 08-20h, 10-20 deviations
    step = 2 * MINUTE_NS
    per_day = 720
    sigma = 0.9 * frac
    values = 0.9 + _noise(rng, 3 * per_day, sigma, heavy)
    hour = int(rng.integers(8, 21))
    length_h = int(rng.integers(2, 4))
    hours = (np.arange(3 * per_day) * 2 // 60) % 24
    inside = (hours >= hour) & (hours < hour + length_h)
    values[inside] -= rng.uniform(10, 20) * sigma
    windows = [(d * per_day + hour * 30, d * per_day + (hour + length_h) * 30) for d in range(3)]
    out.append(Case("seasonal", _series(values, SeriesKind.GAUGE, "1", step, "success"),
                    windows, windows[0][0], False, step))  # fmt: skip
    # noise only
    sigma = 100.0 * frac
    values = 100.0 + _noise(rng, n, sigma, heavy)
    out.append(Case("noise", _series(values, SeriesKind.GAUGE, "", MINUTE_NS, "gauge"),
                    [], None, False, MINUTE_NS))  # fmt: skip
    return out


def _window(case: Case) -> Window:
    return Window(start_ns=T0_NS, end_ns=T0_NS + len(case.series.values) * case.step_ns)


def _index(case: Case, time_ns: int) -> int:
    return (time_ns - T0_NS) // case.step_ns


def _overlaps(case: Case, finding: Finding) -> bool:
    start, end = _index(case, finding.start_ns), max(_index(case, finding.end_ns), 1)
    return any(start < e + 2 and s - 2 < end for s, e in case.events)


def _three_sigma(case: Case) -> list[tuple[int, int]]:
    values = np.asarray(case.series.values)
    z = np.abs(values - values.mean()) / max(values.std(), 1e-12)
    return [(int(i), int(i) + 1) for i in np.flatnonzero(z > 3)]


def score(cases: list[Case], config: AnomalyConfig) -> tuple[dict[str, Tally], float]:
    """Tallies per detector (and consensus, and the baseline), and the seconds spent detecting."""
    tallies: dict[str, Tally] = defaultdict(Tally)
    spent = 0.0
    for case in cases:
        started = time.perf_counter()
        findings = detect_anomalies(case.series, _window(case), config=config)
        spent += time.perf_counter() - started
        by_detector: dict[str, list[Finding]] = defaultdict(list)
        for finding in findings:
            by_detector[finding.detector].append(finding)
        for name, targets in TARGETS.items():
            tally = tallies[name]
            is_target = case.kind in targets and (name != "consensus" or case.is_incident)
            if name == "threshold" and case.kind in targets:
                is_target = (case.kind == "step" and case.series.values[-1] > 1000) or (
                    case.kind == "ramp" and case.is_incident
                )
            tally.relevant += is_target
            if name == "3-sigma baseline":
                spans = _three_sigma(case)
                hits = [any(s < e2 + 2 and s2 - 2 < e for s2, e2 in case.events) for s, e in spans]
                tally.tp += int(is_target and any(hits))
                tally.fp += int(any(not h for h in hits) and not (is_target and any(hits)))
                tally.found += int(is_target and any(hits))
                continue
            mine = by_detector.get(name, [])
            if not mine:
                continue
            hit = [f for f in mine if _overlaps(case, f)]
            if is_target and hit:
                tally.tp += 1
                tally.found += 1
                if case.onset is not None and case.kind in ONSET_TYPES.get(name, set()):
                    tally.onset_errors.append(abs(_index(case, hit[0].onset_ns) - case.onset))
            elif hit and not (name == "consensus" and case.kind in targets):
                if name == "consensus":
                    tally.fp += 1  # a page on a pattern or a spike
                    tally.false_by_type[case.kind] += 1
                else:
                    tally.incidental += 1
            else:
                tally.fp += 1
                tally.false_by_type[case.kind] += 1
    return tallies, spent


def _row(name: str, tally: Tally) -> str:
    precision = tally.tp / (tally.tp + tally.fp) if tally.tp + tally.fp else float("nan")
    recall = tally.found / tally.relevant if tally.relevant else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    errors = tally.onset_errors
    onset = (
        f"{statistics.median(errors):>5.1f} {np.percentile(errors, 90):>5.1f}"
        if errors
        else "    -     -"
    )
    return (
        f"{name:<17} {precision:>6.3f} {recall:>6.3f} {f1:>6.3f} {tally.tp:>5} {tally.fp:>4}"
        f" {tally.incidental:>5} {onset}"
    )


def compare_changepoints(cases: list[Case]) -> None:
    """PELT against BOCPD: onset error on steps, false alarms on noise and ramps, time."""
    print("\nchange-point methods (steps: onset error; noise and ramps: false alarms)")
    print(
        f"{'method':<8} {'found':>7} {'onset p50':>9} {'p90':>5} {'exact':>6} {'false':>6}"
        f" {'ms/series':>9}"
    )
    for method in ("pelt", "bocpd"):
        config = AnomalyConfig(changepoint_method=method)
        errors, false, found, total, spent = [], 0, 0, 0, 0.0
        for case in cases:
            if case.kind not in {"step", "noise", "ramp"}:
                continue
            started = time.perf_counter()
            findings = detect_change_points(case.series, _window(case), config)
            spent += time.perf_counter() - started
            total += 1
            if case.kind == "step" and case.onset is not None:
                if findings:
                    found += 1
                    errors.append(min(abs(_index(case, f.onset_ns) - case.onset) for f in findings))
                false += max(0, len(findings) - 1)
            else:
                false += len(findings)
        steps = sum(c.kind == "step" for c in cases)
        exact = sum(e <= 1 for e in errors) / max(len(errors), 1)
        print(
            f"{method:<8} {found:>3}/{steps:<3} {statistics.median(errors):>9.1f}"
            f" {np.percentile(errors, 90):>5.1f} {exact:>6.2f} {false:>6}"
            f" {1000 * spent / total:>9.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--quick", action="store_true", help="two seeds, for a smoke run")
    args = parser.parse_args()
    cases = make_cases(2 if args.quick else args.seeds)
    counts: dict[str, int] = defaultdict(int)
    for case in cases:
        counts[case.kind] += 1
    print(f"synthetic labelled set: {len(cases)} series ({dict(counts)}); synthetic figures only")
    tallies, spent = score(cases, AnomalyConfig())
    print(f"\n{'detector':<17} {'prec':>6} {'recall':>6} {'F1':>6} {'TP':>5} {'FP':>4}"
          f" {'incid':>5} {'onset p50/p90 (samples)'}")  # fmt: skip
    for name in TARGETS:
        print(_row(name, tallies[name]))
    print("false positives by series type:")
    for name in TARGETS:
        if tallies[name].false_by_type:
            print(f"  {name:<17} {dict(tallies[name].false_by_type)}")
    points = sum(len(c.series.values) for c in cases)
    print(
        f"\nruntime: {spent:.2f} s for {len(cases)} series ({points} points):"
        f" {1000 * spent / len(cases):.1f} s per 1,000 series of ~{points // len(cases)} points"
    )
    compare_changepoints(cases)
    kinds = sorted({c.kind for c in cases})
    print("\nconsensus ANOMALY rate by series type (pages per series)")
    for kind in kinds:
        chosen = [c for c in cases if c.kind == kind]
        pages = sum(
            any(f.kind == FindingKind.ANOMALY for f in detect_anomalies(c.series, _window(c)))
            for c in chosen
        )
        print(f"  {kind:<9} {pages:>3}/{len(chosen)}")


if __name__ == "__main__":
    main()
