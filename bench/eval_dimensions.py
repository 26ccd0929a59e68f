"""Dimension attribution: F1 of root-cause combinations on generated sets and on the demo.

    .venv/bin/python bench/eval_dimensions.py [--per-cell 10] [--seed 2024] [--quick]

(a) Generated deviation tables in the style of Squeeze's B sets and RiskLoc's generator
    (bench/dimension_synthetic.py): 4-6 dimensions of 5-20 values (9,600-18,750 leaves),
    Weibull leaf values, forecast noise at several levels, 1-3 injected root causes of 1-3
    dimensions each. F1 is the papers' exact match: a returned combination is a true positive
    when it equals an injected one, summed over cases. Same-run baselines: RiskLoc with its
    published cutoff, and Adtributor (its most surprising dimension's set).
(a2) Generated count tables (failures among totals, binomial): the likelihood-ratio scan that
    `attribute_failures` runs, against RiskLoc run on the same counts as a deviation table
    (expected = total x the overall failure rate).
(b) The demo's labelled faults, simulated, decoded by nightcall's decoders into a real store,
    counted by `nightcall.store.queries_dimensions` and attributed (bench/dimension_demo.py):
    device-specific crashes (the spiking error group's events against all error events, and
    all events in the window against the hour before it) and deploy regressions (failed spans
    of the service over the hour). With --quick, only the labelled scenarios.

The thresholds were set on other seeds (7 and 11) than the default one reported here. It
prints and asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from dimension_demo import DemoResult, demo_cases, evaluate, load, open_bench_store
from dimension_synthetic import Combination, SyntheticCase, cases

from nightcall.analysis.dimensions import (
    AttributionOptions,
    DeviationRow,
    DeviationTable,
    adtributor,
    attribute_deviations,
    attribute_failures,
)

Method = Callable[[SyntheticCase], set[Combination]]
PUBLISHED = (
    "published, on their own data (approximate, from the papers): Squeeze (ISSRE'19) F1 about"
    " 0.8-0.9 on its B sets, lower on the noisiest; RiskLoc (2022) about 0.9 and above on the"
    " same B sets, and the best of the compared methods on its S/L/H sets"
)


def _ours(case: SyntheticCase) -> set[Combination]:
    assert case.deviation is not None
    return {frozenset(a.combination) for a in attribute_deviations(case.deviation)}


def _riskloc(case: SyntheticCase) -> set[Combination]:
    assert case.deviation is not None
    found = attribute_deviations(case.deviation, AttributionOptions(cutoff="riskloc"))
    return {frozenset(a.combination) for a in found}


def _adtributor(case: SyntheticCase) -> set[Combination]:
    assert case.deviation is not None
    sets = adtributor(case.deviation)
    if not sets:
        return set()
    return {frozenset({(sets[0].dimension, value)}) for value in sets[0].values}


def _scan(case: SyntheticCase) -> set[Combination]:
    assert case.counts is not None
    return {frozenset(a.combination) for a in attribute_failures(case.counts)}


def _riskloc_on_counts(case: SyntheticCase) -> set[Combination]:
    assert case.counts is not None
    rows = case.counts.rows
    rate = sum(r.failed for r in rows) / max(sum(r.total for r in rows), 1.0)
    table = DeviationTable(
        dimensions=case.counts.dimensions,
        rows=tuple(
            DeviationRow(values=r.values, actual=r.failed, expected=r.total * rate) for r in rows
        ),
    )
    found = attribute_deviations(table, AttributionOptions(cutoff="riskloc"))
    return {frozenset(a.combination) for a in found}


class Tally:
    """True positives, false positives and false negatives per group of cases."""

    def __init__(self) -> None:
        self.counts: dict[object, list[int]] = defaultdict(lambda: [0, 0, 0])

    def add(
        self, keys: list[object], truth: frozenset[Combination], found: set[Combination]
    ) -> None:
        for key in keys:
            slot = self.counts[key]
            slot[0] += len(found & truth)
            slot[1] += len(found - truth)
            slot[2] += len(truth - found)

    def f1(self, key: object) -> float:
        tp, fp, fn = self.counts[key]
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def run_synthetic(title: str, made: list[SyntheticCase], methods: dict[str, Method]) -> None:
    tallies = {name: Tally() for name in methods}
    runtimes: dict[str, list[float]] = {name: [] for name in methods}
    for case in made:
        keys: list[object] = [(case.n_causes, case.depth), ("noise", case.noise), "all"]
        for name, method in methods.items():
            started = time.perf_counter()
            found = method(case)
            runtimes[name].append(time.perf_counter() - started)
            tallies[name].add(keys, case.truth, found)
    names = list(methods)
    print(f"\n== {title}: {len(made)} cases")
    header = "  ".join(f"{n:>18}" for n in names)
    print(f"{'group':<22}{header}")
    groups: list[object] = sorted({k for t in tallies.values() for k in t.counts if
                                   isinstance(k, tuple) and k[0] != "noise"}, key=str)  # fmt: skip
    for key in groups:
        cells = "  ".join(f"{tallies[n].f1(key):>18.3f}" for n in names)
        print(f"causes={key[0]} depth={key[1]}:{'':<4}{cells}")  # type: ignore[index]
    noises = sorted(k for k in tallies[names[0]].counts if isinstance(k, tuple) and k[0] == "noise")
    for key in noises:
        cells = "  ".join(f"{tallies[n].f1(key):>18.3f}" for n in names)
        print(f"noise {key[1]:<16}{cells}")
    cells = "  ".join(f"{tallies[n].f1('all'):>18.3f}" for n in names)
    print(f"{'all (F1)':<22}{cells}")
    tp_fp_fn = "  ".join(f"{'/'.join(map(str, tallies[n].counts['all'])):>18}" for n in names)
    print(f"{'all (TP/FP/FN)':<22}{tp_fp_fn}")
    cells = "  ".join(
        f"{1000 * statistics.mean(runtimes[n]):>8.0f} / {1000 * max(runtimes[n]):>6.0f}"
        for n in names
    )
    print(f"{'ms per case mean/max':<22}{cells}")


def run_demo(extended: bool) -> None:
    print(f"\n== (b) demo scenarios ({'labelled + extended' if extended else 'labelled'})")
    results: dict[str, list[DemoResult]] = defaultdict(list)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as directory:
        store = open_bench_store(Path(directory))
        try:
            loaded: set[int] = set()
            for case in demo_cases(extended=extended):
                if case.config.origin_ns not in loaded:
                    load(store, case.config)
                    loaded.add(case.config.origin_ns)
                labelled = case.name.startswith("scenario-") and case.kind != "control"
                group = "labelled" if labelled else ("control" if case.kind == "control"
                                                    else "extended")  # fmt: skip
                variants = [True, False] if case.question == "errors" else [False]
                for by_group in variants:
                    result = evaluate(store, case, by_group=by_group)
                    question = case.question + (" (error group)" if by_group else "")
                    results[f"{group} {case.kind}: {question}"].append(result)
                    _print_case(result, question)
        finally:
            store.close()
    print(f"\n{'set':<58}{'cases':>6}{'TP':>5}{'FP':>5}{'FN':>5}{'F1':>7}{'top-1':>8}")
    for name, group_results in results.items():
        tp = sum(any(r.correct) for r in group_results)
        fp = sum(c is False for r in group_results for c in r.correct)
        fn = sum(1 for r in group_results if r.case.truth and not any(r.correct))
        top = sum(bool(r.correct) and r.correct[0] for r in group_results)
        if group_results[0].case.truth:
            f1_text = f"{2 * tp / (2 * tp + fp + fn):.2f}" if tp + fp + fn else "1.00"
            top_text = f"{top}/{len(group_results)}"
        else:
            f1_text = top_text = "-"
        print(f"{name:<58}{len(group_results):>6}{tp:>5}{fp:>5}{fn:>5}{f1_text:>7}{top_text:>8}")
    print(f"(demo part took {time.perf_counter() - started:.0f} s)")


def _print_case(result: DemoResult, question: str) -> None:
    truth = " with ".join(f"{k}={v}" for k, v in result.case.truth) or "(nothing)"
    print(f"  {result.case.name:<34} {question:<26} truth: {truth}")
    if not result.found:
        print("      -> nothing")
    for attribution, correct in zip(result.found, result.correct, strict=True):
        mark = "right" if correct else "WRONG"
        print(f"      -> {mark}: {attribution.summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--per-cell", type=int, default=10, help="cases per (causes, depth, noise)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--quick", action="store_true", help="3 per cell, labelled demo only")
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    per_cell = 3 if args.quick else args.per_cell
    noises = (0.05, 0.1, 0.2)
    deviation_cases = cases(kind="deviation", per_cell=per_cell, noises=noises, seed=args.seed)
    run_synthetic(
        "(a) generated deviation tables (Squeeze B / RiskLoc style)",
        deviation_cases,
        {"nightcall": _ours, "RiskLoc published": _riskloc, "Adtributor": _adtributor},
    )
    print(PUBLISHED)
    count_cases = cases(kind="counts", per_cell=per_cell, noises=noises, seed=args.seed + 1)
    run_synthetic(
        "(a2) generated count tables (failures among totals; 'noise' = 2/items per leaf)",
        count_cases,
        {"nightcall scan": _scan, "RiskLoc on counts": _riskloc_on_counts},
    )
    if not args.skip_demo:
        run_demo(extended=not args.quick)


if __name__ == "__main__":
    main()
