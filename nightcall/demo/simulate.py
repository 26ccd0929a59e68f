"""Simulated mode: an hour of the shop's telemetry in seconds, with explicit timestamps.

`simulate(config)` drives the same service graph, distributions and faults as the live demo
through simulated time and returns the payloads (OTLP protobuf requests and Sentry envelopes)
the services' SDKs would have sent, in order. The same seed gives the same bytes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from nightcall.demo import signals as sig
from nightcall.demo.bundle import Payload, pack
from nightcall.demo.effects import Conditions, conditions_at, mobile_crash
from nightcall.demo.envelopes import envelope, mobile_event, service_event
from nightcall.demo.faults import Fault, FaultKind
from nightcall.demo.otlp_build import (
    AttrValue,
    Grouped,
    encode_logs,
    encode_metrics,
    encode_traces,
    make_log,
)
from nightcall.demo.sim_metrics import InstanceMeters
from nightcall.demo.sim_pool import PoolModel
from nightcall.demo.sim_requests import Instance, RequestModel
from nightcall.demo.topology import MOBILE_SERVICE, SERVICES, service
from nightcall.demo.traffic import APP_VERSIONS, DEVICES, SESSIONS_PER_REQUEST, DayCurve, pick_entry

FLUSH_EVERY_S = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SimConfig:
    """What to simulate: a window from `origin_ns`, a traffic level, faults, a seed."""

    seed: int
    origin_ns: int
    duration_s: float = 3600.0
    mean_rate_per_s: float = 4.0
    faults: tuple[Fault, ...] = ()
    day_s: float | None = None  # default: the window is one compressed day

    @property
    def curve(self) -> DayCurve:
        return DayCurve(day_s=self.day_s or self.duration_s, mean_rate_per_s=self.mean_rate_per_s)


@dataclass(slots=True)
class SimStats:
    """How much was generated, and how fast."""

    spans: int = 0
    metric_points: int = 0
    logs: int = 0
    events: int = 0
    wall_s: float = 0.0

    @property
    def total(self) -> int:
        return self.spans + self.metric_points + self.logs + self.events

    def rate_per_s(self) -> float:
        return self.total / self.wall_s if self.wall_s else 0.0


@dataclass(slots=True)
class _Lifecycle:
    """A process event at a moment: a deploy, an OOM restart, a batch job starting or ending."""

    t_s: float
    service: str
    what: str  # deploy, oom, batch_start, batch_end
    fault: Fault


@dataclass(slots=True)
class Simulation:
    config: SimConfig
    stats: SimStats = field(default_factory=SimStats)
    instances: dict[str, Instance] = field(default_factory=dict)
    metrics: Grouped = field(default_factory=Grouped)
    mobile_logs: Grouped = field(default_factory=Grouped)
    envelopes: list[bytes] = field(default_factory=list)
    rng: random.Random = field(init=False)
    requests: RequestModel = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.config.seed)
        self.requests = RequestModel(
            rng=self.rng,
            origin_ns=self.config.origin_ns,
            conditions=self.conditions,
            instance=lambda name: self.instances[name],
            pools={s.name: PoolModel(s.pool_size, s.pool_timeout_s) for s in SERVICES},
        )
        for spec in SERVICES:
            self._start_instance(spec.name, 0.0)

    def conditions(self, name: str, t_s: float) -> Conditions:
        return conditions_at(self.config.faults, name, t_s)

    def _start_instance(self, name: str, t_s: float) -> None:
        spec = service(name)
        version = self.conditions(name, t_s).version
        instance_id = self.rng.randbytes(8).hex()
        start_ns = self.requests.ns(t_s)
        resource: dict[str, AttrValue] = {
            "service.name": name,
            "service.namespace": "shop",
            "service.version": version,
            "service.instance.id": instance_id,
            "host.name": "demo-host",
            "process.pid": 1000 + self.rng.randrange(60000),
            "process.runtime.name": "cpython",
            **sig.SDK_RESOURCE,
        }
        meters = InstanceMeters(spec=spec, start_ns=start_ns, interval_s=sig.SIM_EXPORT_INTERVAL_S)
        self.instances[name] = Instance(
            spec=spec, version=version, instance_id=instance_id, meters=meters, resource=resource
        )
        body = sig.LOG_START.format(service=name, version=version, instance=instance_id)
        self._log(name, t_s, "INFO", body)

    def _log(self, name: str, t_s: float, severity: str, body: str) -> None:
        record = make_log(time_ns=self.requests.ns(t_s), severity=severity, body=body, attrs={})
        self.requests.logs.add(self.instances[name].resource, record)

    def _lifecycle(self) -> list[_Lifecycle]:
        events = []
        for fault in self.config.faults:
            if fault.kind is FaultKind.DEPLOY_REGRESSION:
                events.append(_Lifecycle(fault.start_s, fault.service, "deploy", fault))
            elif fault.kind is FaultKind.MEMORY_LEAK and fault.end_s < self.config.duration_s:
                events.append(_Lifecycle(fault.end_s, fault.service, "oom", fault))
            elif fault.kind is FaultKind.PERIODIC_BATCH_JOB:
                t = fault.start_s
                while t < min(fault.end_s, self.config.duration_s):
                    events.append(_Lifecycle(t, fault.service, "batch_start", fault))
                    end = t + 0.25 * fault.period_s
                    events.append(_Lifecycle(end, fault.service, "batch_end", fault))
                    t += fault.period_s
        return sorted(events, key=lambda e: e.t_s)

    def _apply(self, event: _Lifecycle) -> None:
        name = event.service
        if event.what == "deploy":
            self._start_instance(name, event.t_s)
        elif event.what == "oom":
            spec = service(name)
            body = sig.LOG_OOM.format(
                rss_mib=spec.memory_limit_bytes // 2**20, limit_mib=spec.memory_limit_bytes // 2**20
            )
            self._log(name, event.t_s, "ERROR", body)
            self._start_instance(name, event.t_s + 1.5)
        elif event.what == "batch_start":
            self._log(name, event.t_s, "INFO", sig.LOG_BATCH_START.format(job="reindex"))
        else:
            body = sig.LOG_BATCH_END.format(
                job="reindex",
                rows=self.rng.randrange(50_000, 90_000),
                seconds=0.25 * event.fault.period_s,
            )
            self._log(name, event.t_s, "INFO", body)

    def _tick(self, t_s: float) -> None:
        time_ns = self.requests.ns(t_s)
        for name, inst in self.instances.items():
            cond = self.conditions(name, t_s - 1e-6)
            for metric in inst.meters.collect(t_s=t_s, time_ns=time_ns, cond=cond, rng=self.rng):
                self.metrics.add(inst.resource, metric)

    def _session(self, t_s: float) -> None:
        """One app session on a phone: usually fine, sometimes a crash."""
        device = self.rng.choices(DEVICES, weights=[d.weight for d in DEVICES])[0]
        app_version = self.rng.choice(APP_VERSIONS)
        crash = mobile_crash(
            device, conditions_at(self.config.faults, MOBILE_SERVICE, t_s), self.rng
        )
        if crash is None:
            return
        time_ns = self.requests.ns(t_s)
        event = mobile_event(
            event_id=self.rng.randbytes(16).hex(),
            time_ns=time_ns,
            device=device,
            app_version=app_version,
            crash=crash,
        )
        self.envelopes.append(envelope(event))
        resource: dict[str, AttrValue] = {
            "service.name": MOBILE_SERVICE,
            "service.version": app_version,
            "device.model.identifier": device.model,
            "device.manufacturer": "Apple",
            "os.name": "iOS",
            "os.type": "darwin",
            "os.version": device.os_version,
        }
        body = sig.LOG_MOBILE_CRASH.format(type=crash.type, value=crash.value)
        attrs: dict[str, AttrValue] = {
            "exception.type": crash.type,
            "code.function": crash.function,
        }
        self.mobile_logs.add(
            resource, make_log(time_ns=time_ns, severity="FATAL", body=body, attrs=attrs)
        )

    def _flush(self) -> Iterator[Payload]:
        req = self.requests
        for report in req.errors:
            self.envelopes.append(
                envelope(
                    service_event(
                        event_id=self.rng.randbytes(16).hex(),
                        time_ns=report.time_ns,
                        service=report.service,
                        version=report.version,
                        instance=report.instance,
                        route=report.route,
                        error_type=report.error_type,
                        message=report.message,
                        trace_id=report.trace_id,
                        span_id=report.span_id,
                    )
                )
            )
        req.errors.clear()
        if req.spans:
            self.stats.spans += len(req.spans)
            yield pack("traces", encode_traces(req.spans), len(req.spans))
        for grouped in (req.logs, self.mobile_logs):
            if grouped:
                self.stats.logs += len(grouped)
                yield pack("logs", encode_logs(grouped), len(grouped))
        if self.metrics:
            points = _count_points(self.metrics)
            self.stats.metric_points += points
            yield pack("metrics", encode_metrics(self.metrics), points)
        for body in self.envelopes:
            self.stats.events += 1
            yield pack("envelope", body, 1)
        for grouped in (req.spans, req.logs, self.mobile_logs, self.metrics):
            grouped.clear()
        self.envelopes.clear()

    def run(self) -> Iterator[Payload]:
        """Generate the whole window, yielding payloads as each minute is complete."""
        started = time.perf_counter()
        cfg, curve = self.config, self.config.curve
        max_rate = curve.max_rate_per_s()
        lifecycle = self._lifecycle()
        next_tick, next_flush, t = sig.SIM_EXPORT_INTERVAL_S, FLUSH_EVERY_S, 0.0
        while True:
            t += self.rng.expovariate(max_rate)
            horizon = min(t, cfg.duration_s)
            while lifecycle and lifecycle[0].t_s <= horizon:
                self._apply(lifecycle.pop(0))
            while next_tick <= horizon:
                self._tick(next_tick)
                next_tick += sig.SIM_EXPORT_INTERVAL_S
            if next_flush <= horizon:
                yield from self._flush()
                next_flush += FLUSH_EVERY_S
            if t >= cfg.duration_s:
                break
            if self.rng.random() >= curve.rate_per_s(t) / max_rate:
                continue
            entry = pick_entry(self.rng)
            endpoint = service("frontend").endpoint(f"{entry.method} {entry.route}")
            self.requests.serve("frontend", endpoint, t, self.rng.randbytes(16), b"")
            if self.rng.random() < SESSIONS_PER_REQUEST:
                self._session(t)
        yield from self._flush()
        self.stats.wall_s = time.perf_counter() - started


def _count_points(grouped: Grouped) -> int:
    total = 0
    for items in grouped.items.values():
        for metric in items:
            data = getattr(metric, metric.WhichOneof("data"))  # type: ignore[attr-defined]
            total += len(data.data_points)
    return total


def simulate(config: SimConfig) -> tuple[list[Payload], SimStats]:
    """Every payload of the window, in order, and the generation figures."""
    simulation = Simulation(config)
    payloads = list(simulation.run())
    return payloads, simulation.stats


def stream(config: SimConfig) -> tuple[Iterator[Payload], SimStats]:
    """Payloads as they are generated (memory stays flat for long windows); stats fill in."""
    simulation = Simulation(config)
    return simulation.run(), simulation.stats
