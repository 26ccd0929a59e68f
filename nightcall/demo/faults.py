"""The fault catalogue: what can go wrong in the demo, where, and what it should look like.

A `Fault` is placed in time (seconds after a run's start) and in one service; `make_fault`
validates the placement and fills in the detail (which dependency, endpoint or device). Each
kind declares the signals it produces, which become the ground truth evaluations score against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from nightcall.demo.signals import (
    DB_POOL_TIMEOUTS,
    DB_POOL_USAGE,
    GC_COLLECTIONS,
    HTTP_CLIENT_DURATION,
    HTTP_SERVER_DURATION,
    PROCESS_CPU,
    PROCESS_MEMORY,
)
from nightcall.demo.topology import (
    MOBILE_SERVICE,
    SERVICE_NAMES,
    Dependency,
    DependencyKind,
    callers_of,
    service,
)
from nightcall.demo.traffic import DayCurve
from nightcall.errors import UserError


class FaultKind(StrEnum):
    """The kinds of fault the demo can inject."""

    SLOW_DEPENDENCY = "slow_dependency"
    DEPLOY_REGRESSION = "deploy_regression"
    CPU_SATURATION = "cpu_saturation"
    MEMORY_LEAK = "memory_leak"
    POOL_EXHAUSTION = "pool_exhaustion"
    PERIODIC_BATCH_JOB = "periodic_batch_job"
    TIME_OF_DAY_CONGESTION = "time_of_day_congestion"
    DEVICE_SPECIFIC_CRASH = "device_specific_crash"
    CERTIFICATE_EXPIRY = "certificate_expiry"
    CASCADING_FAILURE = "cascading_failure"


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """One injected fault: its kind, the service it is in, when, and its detail."""

    kind: FaultKind
    service: str
    start_s: float
    end_s: float
    target: str = ""
    period_s: float = 0.0

    def is_active(self, t_s: float) -> bool:
        return self.start_s <= t_s < self.end_s

    def progress(self, t_s: float) -> float:
        """How far into the fault `t_s` is, from 0 at the start to 1 at the end."""
        return min(1.0, max(0.0, (t_s - self.start_s) / max(1e-9, self.end_s - self.start_s)))

    def ramp(self, t_s: float) -> float:
        """0 to 1 over the first tenth of the fault (at most a minute), then 1."""
        width = min(60.0, 0.1 * (self.end_s - self.start_s))
        return min(1.0, max(0.0, (t_s - self.start_s) / max(1e-9, width)))


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpectedSignal:
    """A change in the telemetry that a fault should produce, as an analysis would see it."""

    signal: str  # metric, trace, log or error_event
    name: str
    service: str
    change: str  # up, down, saturates, rises_then_resets, periodic, concentrated, appears
    attributes: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {
            "signal": self.signal,
            "name": self.name,
            "service": self.service,
            "change": self.change,
            "attributes": dict(self.attributes),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultInfo:
    """A catalogue entry: what the fault is and where it can go."""

    kind: FaultKind
    summary: str
    services: tuple[str, ...]
    default_service: str


def _with_dependency(kinds: set[DependencyKind]) -> tuple[str, ...]:
    return tuple(
        s for s in SERVICE_NAMES if any(d.kind in kinds for d in service(s).dependencies())
    )


_POOLED = tuple(s for s in SERVICE_NAMES if service(s).pool_size)
_CALLED = tuple(s for s in SERVICE_NAMES if callers_of(s))
_ALL_DEPS = {DependencyKind.DATABASE, DependencyKind.CACHE, DependencyKind.EXTERNAL}

CATALOGUE: dict[FaultKind, FaultInfo] = {
    info.kind: info
    for info in (
        FaultInfo(
            kind=FaultKind.SLOW_DEPENDENCY,
            default_service="payment",
            services=_with_dependency(_ALL_DEPS),
            summary="a dependency (by default the payment gateway) answers 15x slower",
        ),
        FaultInfo(
            kind=FaultKind.DEPLOY_REGRESSION,
            default_service="checkout",
            services=SERVICE_NAMES,
            summary="a new service.version raises errors on one endpoint",
        ),
        FaultInfo(
            kind=FaultKind.CPU_SATURATION,
            default_service="catalog",
            services=SERVICE_NAMES,
            summary="a runaway thread takes the CPU; every endpoint slows",
        ),
        FaultInfo(
            kind=FaultKind.MEMORY_LEAK,
            default_service="cart",
            services=SERVICE_NAMES,
            summary="RSS grows steadily to the limit, then an OOM-style restart",
        ),
        FaultInfo(
            kind=FaultKind.POOL_EXHAUSTION,
            default_service="catalog",
            services=_POOLED,
            summary="leaked DB connections: requests time out while the CPU idles",
        ),
        FaultInfo(
            kind=FaultKind.PERIODIC_BATCH_JOB,
            default_service="catalog",
            services=_POOLED,
            summary="a batch job spikes CPU and DB latency every N minutes",
        ),
        FaultInfo(
            kind=FaultKind.TIME_OF_DAY_CONGESTION,
            default_service="frontend",
            services=SERVICE_NAMES,
            summary="failures rise only in the evening peak window",
        ),
        FaultInfo(
            kind=FaultKind.DEVICE_SPECIFIC_CRASH,
            default_service=MOBILE_SERVICE,
            services=(MOBILE_SERVICE,),
            summary="the iOS app crashes on one device model and OS version",
        ),
        FaultInfo(
            kind=FaultKind.CERTIFICATE_EXPIRY,
            default_service="payment",
            services=_with_dependency({DependencyKind.EXTERNAL}),
            summary="an external dependency's TLS certificate expires: every call fails",
        ),
        FaultInfo(
            kind=FaultKind.CASCADING_FAILURE,
            default_service="shipping",
            services=_CALLED,
            summary="one service stalls and its callers' connection pools saturate",
        ),
    )
}

CRASHING_DEVICE = "iPhone12,1/17.4.1"
STALL_S = 8.0
MIN_BATCH_PERIOD_S = 20.0


def parse_kind(text: str) -> FaultKind:
    """The fault kind named `text`; the error lists the kinds."""
    try:
        return FaultKind(text)
    except ValueError:
        raise UserError(
            f"no fault kind {text!r}",
            location="fault",
            hint="one of " + ", ".join(k.value for k in FaultKind),
        ) from None


def _default_target(kind: FaultKind, name: str) -> str:
    if kind is FaultKind.DEVICE_SPECIFIC_CRASH:
        return CRASHING_DEVICE
    spec = service(name)
    deps = spec.dependencies()
    if kind is FaultKind.SLOW_DEPENDENCY:
        order = [DependencyKind.EXTERNAL, DependencyKind.DATABASE, DependencyKind.CACHE]
        return min(deps, key=lambda d: order.index(d.kind)).name
    if kind is FaultKind.CERTIFICATE_EXPIRY:
        return next(d.name for d in deps if d.kind is DependencyKind.EXTERNAL)
    if kind is FaultKind.DEPLOY_REGRESSION:
        return spec.endpoints[-1].key
    if kind is FaultKind.CASCADING_FAILURE:
        return ",".join(callers_of(name))
    return ""


def make_fault(
    kind: FaultKind,
    service_name: str | None,
    *,
    start_s: float,
    duration_s: float,
    curve: DayCurve,
    period_s: float = 0.0,
) -> Fault:
    """A fault of `kind` in `service_name` (default: the catalogue's), validated and detailed.

    Time-of-day congestion ignores `start_s`: it happens in the curve's evening window.
    """
    info = CATALOGUE[kind]
    name = service_name or info.default_service
    if name not in info.services:
        raise UserError(
            f"a {kind.value} fault cannot go in {name!r}",
            location="service",
            hint="for this fault, one of " + ", ".join(info.services),
        )
    if kind is FaultKind.TIME_OF_DAY_CONGESTION:
        start_s, end_s = curve.evening_window_s()
    else:
        end_s = start_s + duration_s
    if kind is FaultKind.PERIODIC_BATCH_JOB:
        period_s = max(MIN_BATCH_PERIOD_S, period_s or duration_s / 4)
    return Fault(
        kind=kind,
        service=name,
        start_s=start_s,
        end_s=end_s,
        target=_default_target(kind, name),
        period_s=period_s,
    )


def _dependency(name: str, target: str) -> Dependency:
    return next(d for d in service(name).dependencies() if d.name == target)


def expected_signals(fault: Fault) -> list[ExpectedSignal]:
    """What the telemetry should show while `fault` is active."""
    s = fault.service
    kind = fault.kind

    def sig(signal: str, name: str, change: str, who: str = s, **attrs: str) -> ExpectedSignal:
        return ExpectedSignal(
            signal=signal, name=name, service=who, change=change, attributes=attrs
        )

    if kind is FaultKind.SLOW_DEPENDENCY:
        dep = _dependency(s, fault.target)
        key = "server.address"
        out = [
            sig("trace", "client_span.duration.p95", "up", **{key: dep.address}),
            sig("metric", HTTP_SERVER_DURATION, "up"),
        ]
        if dep.kind is DependencyKind.EXTERNAL:
            out.append(sig("metric", HTTP_CLIENT_DURATION, "up", **{key: dep.address}))
        return out
    if kind is FaultKind.DEPLOY_REGRESSION:
        method, _, route = fault.target.partition(" ")
        version = service(s).next_version
        return [
            sig(
                "trace",
                "server_span.error_rate",
                "up",
                **{"http.route": route, "http.request.method": method, "service.version": version},
            ),
            sig("log", "severity>=error", "up", **{"http.route": route}),
            sig("error_event", "exception", "appears", release=f"{s}@{version}"),
            sig("resource", "service.version", "changes", **{"service.version": version}),
        ]
    if kind is FaultKind.CPU_SATURATION:
        return [
            sig("metric", PROCESS_CPU, "up"),
            sig("metric", HTTP_SERVER_DURATION, "up"),
            sig("trace", "server_span.duration.p95", "up"),
        ]
    if kind is FaultKind.MEMORY_LEAK:
        return [
            sig("metric", PROCESS_MEMORY, "rises_then_resets"),
            sig("metric", GC_COLLECTIONS, "up"),
            sig("log", "out of memory", "appears"),
            sig("resource", "service.instance.id", "changes"),
        ]
    if kind is FaultKind.POOL_EXHAUSTION:
        pool = service(s).pool_name
        return [
            sig("metric", DB_POOL_USAGE, "saturates", **{"pool.name": pool, "state": "used"}),
            sig("metric", DB_POOL_TIMEOUTS, "up", **{"pool.name": pool}),
            sig("trace", "server_span.error_rate", "up"),
            sig("log", "timeout acquiring connection", "appears"),
            sig("metric", PROCESS_CPU, "flat_or_down"),
        ]
    if kind is FaultKind.PERIODIC_BATCH_JOB:
        period = f"{fault.period_s:g}"
        return [
            sig("metric", PROCESS_CPU, "periodic", period_s=period),
            sig("metric", HTTP_SERVER_DURATION, "periodic", period_s=period),
            sig("log", "batch job", "periodic", period_s=period),
        ]
    if kind is FaultKind.TIME_OF_DAY_CONGESTION:
        return [
            sig("trace", "server_span.error_rate", "up"),
            sig("metric", HTTP_SERVER_DURATION, "up"),
            sig("metric", "request_rate", "peak"),
        ]
    if kind is FaultKind.DEVICE_SPECIFIC_CRASH:
        model, _, os_version = fault.target.partition("/")
        attrs = {"device.model.identifier": model, "os.name": "iOS", "os.version": os_version}
        return [
            sig("error_event", "crash", "concentrated", **attrs),
            sig("log", "app crashed", "concentrated", **attrs),
        ]
    if kind is FaultKind.CERTIFICATE_EXPIRY:
        dep = _dependency(s, fault.target)
        return [
            sig("trace", "client_span.error_rate", "up", **{"server.address": dep.address}),
            sig("log", "certificate has expired", "appears"),
            sig("error_event", "SSLCertVerificationError", "appears"),
            sig("trace", "server_span.error_rate", "up"),
        ]
    callers = [c for c in fault.target.split(",") if c]
    out = [sig("trace", "server_span.duration.p95", "up")]
    for caller in callers:
        pool = service(caller).pool_name
        if service(caller).pool_size:
            out.append(
                sig(
                    "metric",
                    DB_POOL_USAGE,
                    "saturates",
                    caller,
                    **{"pool.name": pool, "state": "used"},
                )
            )
        out.append(sig("trace", "server_span.error_rate", "up", caller))
    return out


def fault_to_json(fault: Fault) -> dict[str, object]:
    """A fault as plain JSON, to hand to a live service process."""
    return {
        "kind": fault.kind.value,
        "service": fault.service,
        "start_s": fault.start_s,
        "end_s": fault.end_s,
        "target": fault.target,
        "period_s": fault.period_s,
    }


def fault_from_json(data: dict[str, object]) -> Fault:
    return Fault(
        kind=FaultKind(str(data["kind"])),
        service=str(data["service"]),
        start_s=float(str(data["start_s"])),
        end_s=float(str(data["end_s"])),
        target=str(data["target"]),
        period_s=float(str(data["period_s"])),
    )
