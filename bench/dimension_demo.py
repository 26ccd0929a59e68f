"""The demo's labelled faults as attribution cases: simulate, store, count, attribute, score.

Each case simulates one hour of the shop (`nightcall.demo.simulate.stream`), decodes its OTLP
trace requests and Sentry envelopes with nightcall's own decoders, inserts the batches into a
real embedded store (every case in its own hour of one store), and asks the store for the
counts (`nightcall.store.queries_dimensions`) that `attribute_failures` explains:

- device-specific crashes: the shop-ios error events in the fault's window against the hour
  before it; the truth is the fault's target, `device.model` and `os.version`;
- deploy regressions: the failed spans of the faulty service over the whole hour (the deploy
  is in the middle of it); the truth is the new `service.version` on the broken endpoint
  (`http.route`, `http.request.method`), as the fault catalogue's expected signals say;
- controls: the crash question in hours whose fault is elsewhere: any answer is a false one.
  (Failed spans have no such control: the demo's background errors all sit on server spans,
  so "error spans are server spans" is a true answer about any hour.)

A returned combination is right when it selects exactly the truth's rows of the count table:
`device.model=iPad13,4` is the same answer as `device.model=iPad13,4 with os.version=17.4.1`
when that model only ever runs that version.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import orjson

from nightcall.analysis.dimensions import (
    Attribution,
    attribute_failures,
    count_table_from_counts,
)
from nightcall.analysis.errors import fingerprint_event
from nightcall.config import load_settings
from nightcall.demo.faults import Fault, FaultKind, make_fault
from nightcall.demo.scenarios import HOUR_NS, SCENARIO_ORIGIN_NS, ScenarioSpec, scenario_specs
from nightcall.demo.simulate import SimConfig, stream
from nightcall.demo.topology import MOBILE_SERVICE, SERVICE_NAMES, service
from nightcall.demo.traffic import DEVICES
from nightcall.ingest.otlp import decode_otlp
from nightcall.ingest.sentry import decode_envelope, decode_envelope_items
from nightcall.model import EncodedBatch, Signal
from nightcall.store.connection import literal
from nightcall.store.queries_dimensions import DimensionCounts, error_counts, span_counts
from nightcall.store.queries_traces import Window
from nightcall.store.schema import ERROR_EVENTS
from nightcall.store.store import Store, open_store

NS = 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoCase:
    """One question about one simulated hour, and the combination that answers it (if any)."""

    name: str
    kind: str  # device_crash, deploy_regression, control
    question: str  # errors or failed_spans
    service: str
    config: SimConfig
    window: Window
    baseline: Window | None
    truth: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoResult:
    """What the attribution said about one case, scored against the truth."""

    case: DemoCase
    counts: DimensionCounts
    found: list[Attribution]
    correct: list[bool]
    truth_rows: int


def open_bench_store(data_dir: Path) -> Store:
    settings, _ = load_settings(environ={}, overrides={"data_dir": data_dir, "retention_days": 0})
    return open_store(settings)


def load(store: Store, config: SimConfig) -> int:
    """Simulate `config` and insert its spans and error events; returns the batches inserted."""
    payloads, _ = stream(config)
    batches: list[EncodedBatch] = []
    for payload in payloads:
        body = gzip.decompress(payload.body_gz)
        if payload.kind == "traces":
            batches.extend(decode_otlp(Signal.TRACES, "application/x-protobuf", body).batches)
        elif payload.kind == "envelope":
            decoded = decode_envelope_items(
                decode_envelope(body), project_id="1", received_ns=config.origin_ns
            )
            for request in decoded.requests:
                batches.extend(request.batches)
    for start in range(0, len(batches), 200):
        store.insert_batches(batches[start : start + 200])
    return len(batches)


def _hour(config: SimConfig) -> Window:
    return Window(start_ns=config.origin_ns, end_ns=config.origin_ns + int(config.duration_s * NS))


def _fault_window(config: SimConfig, fault: Fault) -> tuple[Window, Window]:
    start = config.origin_ns + int(fault.start_s * NS)
    end = config.origin_ns + int(fault.end_s * NS)
    return Window(start_ns=start, end_ns=end), Window(start_ns=config.origin_ns, end_ns=start)


def _with_fault(spec: ScenarioSpec, *, seed: int, slot: int, target: str | None) -> SimConfig:
    config = spec.config()
    (fault,) = config.faults
    if target is not None:
        fault = replace(fault, target=target)
    return replace(config, seed=seed, origin_ns=SCENARIO_ORIGIN_NS + slot * HOUR_NS,
                   faults=(fault,))  # fmt: skip


def _device_case(name: str, config: SimConfig) -> DemoCase:
    (fault,) = config.faults
    model, _, os_version = fault.target.partition("/")
    window, baseline = _fault_window(config, fault)
    return DemoCase(
        name=name, kind="device_crash", question="errors", service=MOBILE_SERVICE,
        config=config, window=window, baseline=baseline,
        truth=(("device.model", model), ("os.version", os_version)),
    )  # fmt: skip


def _deploy_case(name: str, config: SimConfig) -> DemoCase:
    (fault,) = config.faults
    method, _, route = fault.target.partition(" ")
    version = service(fault.service).next_version
    truth = (("http.request.method", method), ("http.route", route), ("service.version", version))
    return DemoCase(
        name=name, kind="deploy_regression", question="failed_spans", service=fault.service,
        config=config, window=_hour(config), baseline=None, truth=truth,
    )  # fmt: skip


def demo_cases(*, extended: bool) -> Iterator[DemoCase]:
    """The labelled scenarios' cases, then (with `extended`) other targets, seeds and controls."""
    specs = scenario_specs()
    for spec in specs:
        if spec.kind is FaultKind.DEVICE_SPECIFIC_CRASH:
            yield _device_case(spec.name, spec.config())
        elif spec.kind is FaultKind.DEPLOY_REGRESSION:
            yield _deploy_case(spec.name, spec.config())
    if not extended:
        return
    slot = 100
    crash_specs = [s for s in specs if s.kind is FaultKind.DEVICE_SPECIFIC_CRASH]
    for number, device in enumerate(DEVICES):
        spec = crash_specs[number % len(crash_specs)]
        target = f"{device.model}/{device.os_version}"
        config = _with_fault(spec, seed=5000 + number, slot=slot, target=target)
        slot += 1
        yield _device_case(f"crash-{target}", config)
    deploy = next(s for s in specs if s.kind is FaultKind.DEPLOY_REGRESSION)
    for number, name in enumerate(SERVICE_NAMES):
        base = SimConfig(seed=6000 + number, origin_ns=SCENARIO_ORIGIN_NS + slot * HOUR_NS,
                         mean_rate_per_s=deploy.mean_rate_per_s)  # fmt: skip
        fault = make_fault(FaultKind.DEPLOY_REGRESSION, name, start_s=deploy.start_s,
                           duration_s=deploy.duration_s, curve=base.curve)  # fmt: skip
        slot += 1
        yield _deploy_case(f"deploy-{name}", replace(base, faults=(fault,)))
    controls = [s for s in specs if s.kind in (FaultKind.CPU_SATURATION, FaultKind.SLOW_DEPENDENCY)]
    for spec in controls:
        config = spec.config()
        start = config.origin_ns + 1800 * NS
        window = Window(start_ns=start, end_ns=start + 1200 * NS)
        baseline = Window(start_ns=config.origin_ns, end_ns=start)
        yield DemoCase(
            name=f"{spec.name}-{spec.kind.value}-crashes", kind="control", question="errors",
            service=MOBILE_SERVICE, config=config, window=window, baseline=baseline, truth=(),
        )  # fmt: skip


def spiking_group(store: Store, case: DemoCase) -> list[str]:
    """The window's events of the error group (nightcall's fingerprint) of `case.service`
    that grew most from the baseline to the window, as a crash hypothesis would pick it."""
    assert case.baseline is not None
    rows = store.select(
        f"""
        SELECT EventId, Event, {case.window.sql()} AS in_window
        FROM {store.table(ERROR_EVENTS.name)}
        WHERE ({case.window.sql()} OR {case.baseline.sql()})
          AND ServiceName = {literal(case.service)}
        """
    )
    growth: dict[str, float] = {}
    members: dict[str, list[str]] = {}
    for row in rows:
        digest = fingerprint_event(orjson.loads(row["Event"])).digest
        if row["in_window"]:
            growth[digest] = growth.get(digest, 0.0) + 1.0 / case.window.seconds
            members.setdefault(digest, []).append(str(row["EventId"]))
        else:
            growth[digest] = growth.get(digest, 0.0) - 1.0 / case.baseline.seconds
    ranked = sorted(growth.items(), key=lambda kv: (-kv[1], kv[0]))
    return members.get(ranked[0][0], []) if ranked and ranked[0][1] > 0 else []


def counts_for(store: Store, case: DemoCase, *, by_group: bool) -> DimensionCounts:
    """The case's counts: error events (all, or the spiking group's) or failed spans."""
    if case.question == "errors":
        assert case.baseline is not None
        group = spiking_group(store, case) if by_group else None
        return error_counts(store, case.window, baseline=case.baseline, service=case.service,
                            group_event_ids=group)  # fmt: skip
    return span_counts(store, case.window, service=case.service, population="failed_spans")


def _rows(counts: DimensionCounts, combination: tuple[tuple[str, str], ...]) -> frozenset[int]:
    index = {name: i for i, name in enumerate(counts.dimensions)}
    if any(key not in index for key, _ in combination):
        return frozenset()
    return frozenset(
        n
        for n, (values, _, _) in enumerate(counts.rows)
        if all(values[index[key]] == value for key, value in combination)
    )


def evaluate(store: Store, case: DemoCase, *, by_group: bool) -> DemoResult:
    counts = counts_for(store, case, by_group=by_group)
    found = attribute_failures(count_table_from_counts(counts))
    truth = _rows(counts, case.truth) if case.truth else frozenset()
    correct = [bool(truth) and _rows(counts, a.combination) == truth for a in found]
    return DemoResult(case=case, counts=counts, found=found, correct=correct, truth_rows=len(truth))
