"""The diagnosis engine on the demo's 30 labelled scenarios, through a real server.

    .venv/bin/python bench/eval_rca.py [--reuse] [--only KIND | --scenarios 1,5,7] [--json OUT]

Writes the scenario set once into --scenarios-dir (cached), starts `nightcall serve` on
--data-dir, replays every scenario into it (each lies in its own hour) and waits until it is
stored; with --reuse a data directory that already holds this set is only queried. For each
scenario it asks GET /api/v1/hypotheses for the scenario's hour and scores the answer:
root-cause service AC@1, AC@3 and Avg@5 (RCAEval), hypothesis-kind accuracy at 1 and 3, the
onset error of the first hypothesis, its confidence against how often it is right (calibration
table and Brier score), and the time each diagnosis took. The same-run baseline is chance: a
random ranking of the shop's services. Published figures of other methods are printed beside
the results; they were measured on their own datasets, not on these scenarios.
"""

from __future__ import annotations

import argparse
import math
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson
from rca_scoring import (
    Outcome,
    Summary,
    brier,
    calibration,
    failed_outcome,
    finite_or_none,
    outcome_of,
    summarize_by_fault,
    truth_of,
)
from rca_setup import ensure_scenarios, replay_all, running_server, why_not_replayed

from nightcall.demo.faults import FaultKind
from nightcall.demo.scenarios import ScenarioSpec, scenario_specs
from nightcall.demo.topology import SERVICE_NAMES
from nightcall.demo.truth import read_truth

ROUTE = "/api/v1/hypotheses"
SIGNALS_PARAM = ""  # set from --signals: an ablation to some kinds of telemetry
OWNED = "eval-rca-owned"  # a data directory holding this file may be wiped and refilled
PUBLISHED = [
    ("BARO (FSE'24), metrics only, Online Boutique, Avg@5",
     "CPU 0.97, memory 1.0, disk 0.91, delay 0.98, packet loss 0.67"),
    ("Nezha (FSE'23), traces+logs+metrics, service AC@1 / AC@3",
     "Online Boutique 0.929 / 0.964, Train Ticket 0.867 / 0.978"),
    ("OpenRCA (ICLR'25), best LLM agent, full root cause", "about 0.11"),
]  # fmt: skip


def select(specs: list[ScenarioSpec], only: str | None, numbers: str | None) -> list[ScenarioSpec]:
    """The scenarios to query: all, one fault kind, or a list of numbers."""
    if only:
        kinds = [k.value for k in FaultKind]
        if only not in kinds:
            raise SystemExit(f"--only {only!r} is not a fault kind; choose one of {kinds}")
        return [s for s in specs if s.kind.value == only]
    if numbers:
        try:
            wanted = {int(n) for n in numbers.split(",") if n.strip()}
        except ValueError:
            raise SystemExit(f"--scenarios {numbers!r}: give numbers, e.g. 1,5,7") from None
        unknown = wanted - {s.index for s in specs}
        if unknown:
            raise SystemExit(f"--scenarios: no scenario {sorted(unknown)}; they run 1-{len(specs)}")
        return [s for s in specs if s.index in wanted]
    return specs


def prepare_data_dir(data_dir: Path) -> None:
    """Empty the data directory for a fresh replay, refusing to wipe one this tool did not fill."""
    if data_dir.exists() and any(data_dir.iterdir()) and not (data_dir / OWNED).exists():
        raise SystemExit(
            f"{data_dir} holds data this evaluation did not write: refusing to replace it; "
            "pass an empty or new --data-dir"
        )
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    (data_dir / OWNED).write_text("written by bench/eval_rca.py; deleted and refilled by it\n")


def diagnose(client: httpx.Client, spec: ScenarioSpec, scenarios_dir: Path) -> Outcome:
    """Ask the server for the scenario's hour and reduce its answer to an outcome."""
    truth = truth_of(spec.name, read_truth(scenarios_dir / spec.name / "truth.json"))
    params: dict[str, int | str] = {"start": truth.window_start_ns, "end": truth.window_end_ns}
    if SIGNALS_PARAM:
        params["signals"] = SIGNALS_PARAM
    started = time.perf_counter()
    try:
        response = client.get(ROUTE, params=params)
    except httpx.HTTPError as exc:
        return failed_outcome(truth, f"no answer: {exc}", time.perf_counter() - started)
    latency_s = time.perf_counter() - started
    if not response.is_success:
        return failed_outcome(truth, f"{response.status_code}: {response.text[:200]}", latency_s)
    return outcome_of(truth, response.json(), latency_s)


def fmt(value: float, digits: int = 2) -> str:
    return "-" if math.isnan(value) else f"{value:.{digits}f}"


def scenario_line(o: Outcome) -> str:
    """One compact line per scenario, for debugging the engine."""
    t = o.truth
    rank = o.service_rank()
    top3 = ",".join(o.services[:3]) or "-"
    top = f"{o.kinds[0]}@{o.top_service}" if o.kinds else "-"
    is_service_right = o.top_service == t.service
    verdicts = {(True, True): "RIGHT", (True, False): "kind", (False, True): "svc"}
    verdict = verdicts.get((o.is_kind_right, is_service_right), "wrong")
    late_s = (o.onset_ns - t.fault_start_ns) / 1e9 if o.onset_ns and t.has_onset else None
    onset_text = f"{late_s:>+6.0f}s" if late_s is not None else "     -"
    line = (
        f"{t.name[-2:]} {t.fault:<22} {t.service:<9} #{rank or '-':<2} {top3:<28} "
        f"{top:<36} {o.confidence:4.2f} {verdict:<5} {onset_text} {o.latency_s:5.2f}s"
    )
    return line + (f"  ERROR {o.error}" if o.error else "")


def print_scenarios(outcomes: Sequence[Outcome]) -> None:
    print(
        f"{'#':<2} {'truth fault':<22} {'service':<9} {'rk':<3} {'top-3 candidates':<28} "
        f"{'top-1 hypothesis':<36} {'conf':<4} {'top-1':<5} {'onset':>7} {'time':>6}"
    )
    for outcome in outcomes:
        print(scenario_line(outcome))


def print_summary(groups: dict[str, Summary]) -> None:
    print(
        f"\n{'fault kind':<24} {'n':>2} {'AC@1':>5} {'AC@3':>5} {'Avg@5':>5} "
        f"{'kind@1':>6} {'kind@3':>6} {'right':>5} {'onset med/p90 s':>16} {'time med/max s':>15}"
    )
    for kind, s in groups.items():
        if kind == "all":
            print("-" * 103)
        onset = f"{fmt(s.onset_median_s, 0)}/{fmt(s.onset_p90_s, 0)}"
        latency = f"{fmt(s.latency_median_s)}/{fmt(s.latency_max_s)}"
        failed = f"  ({s.failed} failed)" if s.failed else ""
        print(
            f"{kind:<24} {s.count:>2} {fmt(s.ac1):>5} {fmt(s.ac3):>5} {fmt(s.avg5):>5} "
            f"{fmt(s.kind_top1):>6} {fmt(s.kind_top3):>6} {fmt(s.right):>5} "
            f"{onset:>16} {latency:>15}{failed}"
        )
    services = len(SERVICE_NAMES) + 1  # the shop's services and the mobile app
    chance = [min(k, services) / services for k in range(1, 6)]
    print(
        f"{'chance (random ranking)':<24} {'':>2} {chance[0]:>5.2f} {chance[2]:>5.2f} "
        f"{sum(chance) / 5:>5.2f}   ({services} services)"
    )


def print_calibration(outcomes: Sequence[Outcome]) -> None:
    print("\ncalibration: top-1 confidence against the share whose kind and service are right")
    print(f"{'confidence':<11} {'n':>3} {'mean conf':>9} {'observed':>8}")
    for b in calibration(outcomes):
        label = f"{b.low:.1f}-{b.high:.1f}"
        print(f"{label:<11} {b.count:>3} {fmt(b.mean_confidence):>9} {fmt(b.observed):>8}")
    print(
        f"Brier score {fmt(brier(outcomes), 3)} "
        "(0 is perfect; a confidence of 0 throughout scores the share right)"
    )


def print_published() -> None:
    print("\npublished figures, on their own datasets (not these scenarios; for scale only):")
    for who, figures in PUBLISHED:
        print(f"  {who}: {figures}")


def results_json(outcomes: Sequence[Outcome], timings: dict[str, float]) -> dict[str, Any]:
    return {
        "scenarios": [
            {
                "scenario": o.truth.name,
                "fault": o.truth.fault,
                "service": o.truth.service,
                "expected_kind": o.truth.expected_kind,
                "service_rank": o.service_rank(),
                "candidates": list(o.services[:5]),
                "kinds": list(o.kinds[:5]),
                "top_service": o.top_service,
                "confidence": o.confidence,
                "score": o.score,
                "is_right": o.is_right,
                "onset_error_s": o.onset_error_s(),
                "latency_s": round(o.latency_s, 4),
                "error": o.error or None,
            }
            for o in outcomes
        ],
        "summary": {kind: s.to_json() for kind, s in summarize_by_fault(outcomes).items()},
        "calibration": [b.to_json() for b in calibration(outcomes)],
        "brier": finite_or_none(brier(outcomes)),
        "timings_s": timings,
        "published": dict(PUBLISHED),
    }


def query_all(url: str, specs: Sequence[ScenarioSpec], scenarios_dir: Path) -> list[Outcome]:
    """Diagnose each scenario in turn (one at a time, so each latency is its own)."""
    with httpx.Client(base_url=url, timeout=600) as client:
        paths = client.get("/openapi.json").json().get("paths", {})
        if ROUTE not in paths:
            status = client.get(ROUTE, params={"start": 0, "end": 1}).status_code
            raise SystemExit(
                f"GET {url}{ROUTE} answered {status} and the server's OpenAPI document has no "
                "such path: the diagnosis engine has not landed in this tree. The scenarios "
                "are replayed and kept; once the route exists, rerun with --reuse to query "
                "them without replaying."
            )
        return [diagnose(client, spec, scenarios_dir) for spec in specs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenarios-dir", type=Path, default=Path("/tmp/nightcall-eval/scenarios"))
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/nightcall-eval/data"))
    parser.add_argument("--reuse", action="store_true", help="query a data dir already replayed")
    subset = parser.add_mutually_exclusive_group()
    subset.add_argument("--only", help="query one fault kind (e.g. memory_leak)")
    subset.add_argument("--scenarios", help="query these scenario numbers, e.g. 1,5,7")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument(
        "--signals", default="", help="only these kinds of telemetry, e.g. metrics or spans,calls"
    )
    args = parser.parse_args()
    global SIGNALS_PARAM  # noqa: PLW0603  # one run, one ablation: read by diagnose()
    SIGNALS_PARAM = args.signals

    specs = scenario_specs()
    chosen = select(specs, args.only, args.scenarios)
    timings = {"generate_s": round(ensure_scenarios(args.scenarios_dir, specs), 1)}
    stale = why_not_replayed(args.data_dir, specs)
    if args.reuse and stale is None:
        print(f"{args.data_dir} already holds the {len(specs)} scenarios: querying only")
    else:
        if args.reuse:
            print(f"{stale}: replaying the set")
        prepare_data_dir(args.data_dir)
    with running_server(args.data_dir) as server:
        if why_not_replayed(args.data_dir, specs) is not None:
            print(f"replaying {len(specs)} scenarios into {server.url} ({args.data_dir}) ...")
            timings["replay_s"] = round(
                replay_all(server.url, args.scenarios_dir, args.data_dir, specs), 1
            )
            print(f"replayed and stored in {timings['replay_s']:.0f} s")
        started = time.perf_counter()
        outcomes = query_all(server.url, chosen, args.scenarios_dir)
        timings["query_s"] = round(time.perf_counter() - started, 1)

    print(f"\n{len(outcomes)} scenarios diagnosed through {ROUTE}; timings {timings}\n")
    print_scenarios(outcomes)
    print_summary(summarize_by_fault(outcomes))
    print_calibration(outcomes)
    print_published()
    if args.json:
        args.json.write_bytes(
            orjson.dumps(results_json(outcomes, timings), option=orjson.OPT_INDENT_2)
        )
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
