"""The labelled scenario set: a fixed, seeded list of simulated incidents to evaluate against.

Each scenario is one hour of the shop with one fault, its own seed, traffic level and fault
placement, laid out in its own hour (so several can share one server). `write_scenario` stores
the payloads as files beside `truth.json`; `replay` sends such a directory to a server.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nightcall.demo.bundle import SendReport, read_payloads, send_payloads, write_payloads
from nightcall.demo.faults import FaultKind, make_fault
from nightcall.demo.simulate import SimConfig, SimStats, stream
from nightcall.demo.truth import read_truth, run_truth, write_truth
from nightcall.errors import UserError

SCENARIO_ORIGIN_NS = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp()) * 1_000_000_000
HOUR_NS = 3600 * 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ScenarioSpec:
    """One labelled incident of the set."""

    index: int
    kind: FaultKind
    service: str
    seed: int
    start_s: float
    duration_s: float
    mean_rate_per_s: float

    @property
    def name(self) -> str:
        return f"scenario-{self.index:02d}"

    def config(self) -> SimConfig:
        base = SimConfig(
            seed=self.seed,
            origin_ns=SCENARIO_ORIGIN_NS + self.index * HOUR_NS,
            mean_rate_per_s=self.mean_rate_per_s,
        )
        fault = make_fault(
            self.kind,
            self.service,
            start_s=self.start_s,
            duration_s=self.duration_s,
            curve=base.curve,
        )
        return SimConfig(
            seed=base.seed,
            origin_ns=base.origin_ns,
            mean_rate_per_s=base.mean_rate_per_s,
            faults=(fault,),
        )


# Placements per kind: (service, start s, duration s, mean rate/s). Three or four per kind,
# different services where the fault can go elsewhere, different timing and traffic.
_PLACEMENTS: dict[FaultKind, tuple[tuple[str, float, float, float], ...]] = {
    FaultKind.SLOW_DEPENDENCY: (
        ("payment", 1500, 900, 2.5),
        ("catalog", 1800, 1200, 3.0),
        ("shipping", 1200, 900, 2.0),
    ),
    FaultKind.DEPLOY_REGRESSION: (
        ("checkout", 1800, 1800, 2.5),
        ("catalog", 1500, 2100, 3.0),
        ("cart", 2100, 1500, 2.0),
    ),
    FaultKind.CPU_SATURATION: (
        ("catalog", 1500, 900, 2.5),
        ("frontend", 2000, 900, 3.0),
        ("payment", 1200, 1200, 2.0),
    ),
    FaultKind.MEMORY_LEAK: (
        ("cart", 1200, 1500, 2.5),
        ("catalog", 900, 2100, 2.0),
        ("checkout", 1500, 1200, 3.0),
    ),
    FaultKind.POOL_EXHAUSTION: (
        ("catalog", 1800, 900, 2.5),
        ("payment", 1500, 1200, 3.0),
        ("shipping", 2100, 900, 2.0),
    ),
    FaultKind.PERIODIC_BATCH_JOB: (
        ("catalog", 600, 3000, 2.5),
        ("shipping", 300, 3300, 2.0),
        ("payment", 900, 2700, 3.0),
    ),
    FaultKind.TIME_OF_DAY_CONGESTION: (
        ("frontend", 0, 0, 2.5),
        ("catalog", 0, 0, 3.0),
        ("checkout", 0, 0, 2.0),
    ),
    FaultKind.DEVICE_SPECIFIC_CRASH: (
        ("shop-ios", 1500, 1200, 3.0),
        ("shop-ios", 1800, 900, 2.5),
        ("shop-ios", 1200, 1800, 3.5),
    ),
    FaultKind.CERTIFICATE_EXPIRY: (
        ("payment", 1800, 1200, 2.5),
        ("shipping", 1500, 1500, 3.0),
        ("payment", 2400, 900, 2.0),
    ),
    FaultKind.CASCADING_FAILURE: (
        ("shipping", 1500, 1200, 3.0),
        ("payment", 1800, 900, 3.5),
        ("catalog", 1200, 1200, 2.5),
    ),
}


def scenario_specs() -> list[ScenarioSpec]:
    """The fixed set, in a fixed order (kinds interleaved, so any prefix covers every kind)."""
    specs: list[ScenarioSpec] = []
    rounds = max(len(p) for p in _PLACEMENTS.values())
    for round_ in range(rounds):
        for kind, placements in _PLACEMENTS.items():
            if round_ >= len(placements):
                continue
            svc, start_s, duration_s, rate = placements[round_]
            index = len(specs) + 1
            specs.append(
                ScenarioSpec(
                    index=index,
                    kind=kind,
                    service=svc,
                    seed=1000 + index * 7,
                    start_s=start_s,
                    duration_s=duration_s,
                    mean_rate_per_s=rate,
                )
            )
    return specs


def write_scenario(spec: ScenarioSpec, out: Path) -> SimStats:
    """Write one scenario's payloads and truth under `out/NAME/`."""
    config = spec.config()
    directory = out / spec.name
    payloads, stats = stream(config)
    write_payloads(directory / "payloads", payloads)
    truth = run_truth(
        mode="simulated",
        faults=list(config.faults),
        origin_ns=config.origin_ns,
        duration_s=config.duration_s,
        seed=config.seed,
        extra={
            "scenario": spec.name,
            "mean_rate_per_s": spec.mean_rate_per_s,
            "generated": {
                "spans": stats.spans,
                "logs": stats.logs,
                "metric_points": stats.metric_points,
                "events": stats.events,
            },
        },
    )
    write_truth(directory / "truth.json", truth)
    return stats


def replay(directory: Path, url: str, *, key: str | None, dsn: str | None) -> SendReport:
    """Send a scenario directory's payloads to a server, in their recorded order."""
    if not (directory / "truth.json").is_file():
        raise UserError(
            f"{directory} has no truth.json: it is not a scenario directory",
            location="path",
            hint="pass one of the directories `nightcall demo scenarios --out DIR` wrote",
        )
    read_truth(directory / "truth.json")
    return send_payloads(read_payloads(directory / "payloads"), url, key=key, dsn=dsn)
