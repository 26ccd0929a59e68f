"""What active faults do to one service at one moment: a pure function both modes call.

`conditions_at(faults, service, t_s)` answers a `Conditions`: latency factors, failure odds,
extra CPU and memory, leaked pool connections, the running version. The live service applies
them for real (sleeps, burns CPU, allocates, holds connections); the simulation turns them into
timestamps and gauge values. Faults only ever change the service they are placed in; their
effect on other services (callers timing out, pools filling) follows from the call graph.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import TypeAlias

from nightcall.demo.faults import STALL_S, Fault, FaultKind
from nightcall.demo.topology import (
    MOBILE_SERVICE,
    Dependency,
    DependencyKind,
    Endpoint,
    ServiceSpec,
    service,
)
from nightcall.demo.traffic import (
    APP_VERSIONS,
    BACKGROUND_CRASHES,
    CRASH_RATE_PER_SESSION,
    DEVICE_CRASH,
    Device,
    MobileCrash,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """An error a request or a dependency call can end with."""

    probability: float
    error_type: str
    message: str
    status_code: int = 500


CERT_EXPIRED = Failure(
    probability=1.0,
    error_type="SSLCertVerificationError",
    message="[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired "
    "(_ssl.c:1006)",
    status_code=0,
)
REGRESSION = Failure(
    probability=0.35,
    error_type="KeyError",
    message="'currency' (order.totals has no currency after the price model change)",
)
CONGESTED = Failure(
    probability=0.14,
    error_type="ServiceUnavailable",
    message="upstream overflow: too many concurrent requests",
    status_code=503,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditions:
    """One service's state at one moment, as the faults active then make it."""

    version: str
    work_factor: float = 1.0
    stall_s: float = 0.0
    cpu_extra: float = 0.0
    memory_extra_bytes: int = 0
    gc_factor: float = 1.0
    leaked_connections: int = 0
    dependency_factor: dict[str, float] = field(default_factory=dict)
    dependency_failure: dict[str, Failure] = field(default_factory=dict)
    endpoint_failure: dict[str, Failure] = field(default_factory=dict)
    batch_job_running: bool = False
    crash_device: str = ""
    crash_factor: float = 1.0


@dataclass(slots=True, kw_only=True)
class _Builder:
    """Conditions while the active faults are being applied (then frozen)."""

    version: str
    work_factor: float = 1.0
    stall_s: float = 0.0
    cpu_extra: float = 0.0
    memory_extra_bytes: int = 0
    gc_factor: float = 1.0
    leaked_connections: int = 0
    dependency_factor: dict[str, float] = field(default_factory=dict)
    dependency_failure: dict[str, Failure] = field(default_factory=dict)
    endpoint_failure: dict[str, Failure] = field(default_factory=dict)
    batch_job_running: bool = False
    crash_device: str = ""
    crash_factor: float = 1.0

    def freeze(self) -> Conditions:
        return Conditions(**{f.name: getattr(self, f.name) for f in fields(self)})


# How an active fault changes its service: one plain function per kind.
Effect: TypeAlias = Callable[[_Builder, Fault, float, ServiceSpec | None], None]


def _slow_dependency(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    c.dependency_factor[fault.target] = 1.0 + 14.0 * fault.ramp(t_s)


def _deploy_regression(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    c.endpoint_failure[fault.target] = REGRESSION


def _cpu_saturation(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    c.cpu_extra += 0.9 * fault.ramp(t_s)
    c.work_factor *= 1.0 + 5.0 * fault.ramp(t_s)


def _memory_leak(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    if spec is None:
        return
    progress = fault.progress(t_s)
    c.memory_extra_bytes += int((spec.memory_limit_bytes - spec.base_memory_bytes) * progress)
    c.gc_factor *= 1.0 + 6.0 * progress
    c.work_factor *= 1.0 + 1.5 * progress**2


def _pool_exhaustion(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    if spec is not None:  # one more connection leaks each moment, until none is left
        leaked = int(spec.pool_size * fault.progress(t_s) / 0.25) + 1
        c.leaked_connections = min(spec.pool_size, leaked)


def _batch_job(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    if spec is None or (t_s - fault.start_s) % fault.period_s >= 0.25 * fault.period_s:
        return
    c.batch_job_running = True
    c.cpu_extra += 0.55
    c.work_factor *= 2.5
    for dep in spec.dependencies():
        if dep.kind is DependencyKind.DATABASE:
            c.dependency_factor[dep.name] = c.dependency_factor.get(dep.name, 1.0) * 4.0


def _congestion(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    c.work_factor *= 2.0
    for endpoint in spec.endpoints if spec else ():
        c.endpoint_failure[endpoint.key] = CONGESTED


def _device_crash(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    c.crash_device, c.crash_factor = fault.target, 1.0 + 150.0 * fault.ramp(t_s)


def _certificate_expiry(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    c.dependency_failure[fault.target] = CERT_EXPIRED


def _cascading(c: _Builder, fault: Fault, t_s: float, spec: ServiceSpec | None) -> None:
    c.stall_s += STALL_S * fault.ramp(t_s)


EFFECTS: dict[FaultKind, Effect] = {
    FaultKind.SLOW_DEPENDENCY: _slow_dependency,
    FaultKind.DEPLOY_REGRESSION: _deploy_regression,
    FaultKind.CPU_SATURATION: _cpu_saturation,
    FaultKind.MEMORY_LEAK: _memory_leak,
    FaultKind.POOL_EXHAUSTION: _pool_exhaustion,
    FaultKind.PERIODIC_BATCH_JOB: _batch_job,
    FaultKind.TIME_OF_DAY_CONGESTION: _congestion,
    FaultKind.DEVICE_SPECIFIC_CRASH: _device_crash,
    FaultKind.CERTIFICATE_EXPIRY: _certificate_expiry,
    FaultKind.CASCADING_FAILURE: _cascading,
}


def conditions_at(faults: Iterable[Fault], name: str, t_s: float) -> Conditions:
    """The conditions of service `name` at `t_s` seconds after the run's start."""
    spec = service(name) if name != MOBILE_SERVICE else None
    state = _Builder(version=spec.version if spec else APP_VERSIONS[-1])
    for fault in faults:
        if fault.service != name:
            continue
        if fault.kind is FaultKind.DEPLOY_REGRESSION and t_s >= fault.start_s and spec:
            state.version = spec.next_version  # a deploy stays deployed after the fault
        if fault.is_active(t_s):
            EFFECTS[fault.kind](state, fault, t_s, spec)
    state.cpu_extra = min(state.cpu_extra, 0.97)
    return state.freeze()


def work_s(endpoint: Endpoint, cond: Conditions, rng: random.Random) -> float:
    """The service's own processing time for one request (excluding its calls)."""
    return endpoint.work.sample_s(rng, cond.work_factor) + cond.stall_s * rng.uniform(0.8, 1.2)


def dependency_outcome(
    dep: Dependency, cond: Conditions, rng: random.Random
) -> tuple[float, Failure | None]:
    """How long one call to `dep` takes and whether it fails."""
    failure = cond.dependency_failure.get(dep.name)
    if failure is not None and rng.random() < failure.probability:
        return dep.latency.sample_s(rng, 0.25), failure  # a failed TLS handshake is quick
    duration = dep.latency.sample_s(rng, cond.dependency_factor.get(dep.name, 1.0))
    if rng.random() < dep.error_rate:
        return duration, Failure(
            probability=dep.error_rate,
            error_type="UpstreamError",
            message=f"{dep.name} answered 502 Bad Gateway",
            status_code=502,
        )
    return duration, None


def endpoint_failure(endpoint: Endpoint, cond: Conditions, rng: random.Random) -> Failure | None:
    """Whether the endpoint's own code fails this request (background rate plus faults)."""
    failure = cond.endpoint_failure.get(endpoint.key)
    if failure is not None and rng.random() < failure.probability:
        return failure
    if rng.random() < endpoint.error_rate:
        return Failure(
            probability=endpoint.error_rate,
            error_type="ValueError",
            message="invalid literal for int() with base 10: 'undefined'",
            status_code=500,
        )
    return None


def mobile_crash(device: Device, cond: Conditions, rng: random.Random) -> MobileCrash | None:
    """Whether one app session on `device` crashes, and how."""
    is_target = cond.crash_device == f"{device.model}/{device.os_version}"
    rate = CRASH_RATE_PER_SESSION * (cond.crash_factor if is_target else 1.0)
    if rng.random() >= rate:
        return None
    if is_target and rng.random() < 1.0 - 1.0 / cond.crash_factor:
        return DEVICE_CRASH
    return rng.choices(BACKGROUND_CRASHES, weights=[c.weight for c in BACKGROUND_CRASHES])[0]


def cpu_utilization(
    name: str, requests_per_s: float, cond: Conditions, rng: random.Random
) -> float:
    """The process's CPU utilisation (0..1 of one core) at a request rate, with noise."""
    spec = service(name)
    busy = spec.base_cpu + spec.cpu_per_request * requests_per_s * cond.work_factor
    return max(0.0, min(1.0, busy + cond.cpu_extra + rng.gauss(0.0, 0.01)))


def memory_bytes(name: str, cond: Conditions, rng: random.Random) -> int:
    """The process's resident memory, with a little allocator noise."""
    spec = service(name)
    noise = int(rng.gauss(0.0, 0.01) * spec.base_memory_bytes)
    return spec.base_memory_bytes + cond.memory_extra_bytes + noise
