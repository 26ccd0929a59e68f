"""One request through the shop in simulated time: spans, logs, metrics and error events.

`RequestModel.serve` walks an endpoint's steps as the live service executes them (own work, a
pool connection, dependency calls, calls to other services with their timeouts) and records
what the SDKs would have recorded, with explicit timestamps. Conditions come from `effects`,
the same function the live services consult.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from nightcall.demo import signals as sig
from nightcall.demo.effects import (
    Conditions,
    Failure,
    dependency_outcome,
    endpoint_failure,
    work_s,
)
from nightcall.demo.otlp_build import AttrValue, Grouped, make_log, make_span
from nightcall.demo.sim_metrics import InstanceMeters
from nightcall.demo.sim_pool import PoolModel
from nightcall.demo.topology import (
    CLIENT_TIMEOUT_S,
    Call,
    Dependency,
    DependencyKind,
    Endpoint,
    ServiceSpec,
    service,
)

NS = 1_000_000_000
SERVICE_PORT = 8080
NETWORK_S = 0.0004
ERROR_EVENT_SAMPLE_RATE = 0.5
ACCESS_LOG_SAMPLE_RATE = 0.2


@dataclass(slots=True)
class Instance:
    """A running process of a service: its identity (resource) and its instruments."""

    spec: ServiceSpec
    version: str
    instance_id: str
    meters: InstanceMeters
    resource: dict[str, AttrValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorReport:
    """An error the service's sentry-sdk would capture."""

    time_ns: int
    service: str
    version: str
    instance: str
    route: str
    error_type: str
    message: str
    trace_id: str
    span_id: str


@dataclass(slots=True)
class RequestModel:
    """Turns requests into telemetry; holds the sinks and the per-service state."""

    rng: random.Random
    origin_ns: int
    conditions: Callable[[str, float], Conditions]
    instance: Callable[[str], Instance]
    pools: dict[str, PoolModel]
    spans: Grouped = field(default_factory=Grouped)
    logs: Grouped = field(default_factory=Grouped)
    errors: list[ErrorReport] = field(default_factory=list)

    def ns(self, t_s: float) -> int:
        return self.origin_ns + int(t_s * NS)

    def new_id(self, size: int) -> bytes:
        return self.rng.randbytes(size)

    def serve(
        self, name: str, endpoint: Endpoint, t_s: float, trace_id: bytes, parent: bytes
    ) -> tuple[float, int]:
        """Handle one request at `t_s`; returns when it ends and its HTTP status."""
        spec, inst = service(name), self.instance(name)
        cond = self.conditions(name, t_s)
        span_id = self.new_id(8)
        own_s = work_s(endpoint, cond, self.rng)
        cursor = t_s + own_s / 2
        failure: Failure | None = None
        holding: float | None = None
        if endpoint.uses_pool and spec.holds_connection_across_calls:
            cursor, failure, holding = self._acquire(spec, inst, cond, cursor)
        for step in endpoint.steps if failure is None else ():
            if isinstance(step, Dependency):
                if endpoint.uses_pool and holding is None and step.kind is DependencyKind.DATABASE:
                    cursor, failure, holding = self._acquire(spec, inst, cond, cursor)
                    if failure is not None:
                        break
                cursor, failure = self._dependency(inst, step, cond, cursor, trace_id, span_id)
                if holding is not None and not spec.holds_connection_across_calls:
                    self._release(spec, inst, holding, cursor)
                    holding = None
            else:
                cursor, failure = self._call(inst, step, cursor, trace_id, span_id)
            if failure is not None:
                break
        if holding is not None:
            self._release(spec, inst, holding, cursor)
        if failure is None:
            failure = endpoint_failure(endpoint, cond, self.rng)
        cursor += own_s / 2
        status = 200 if failure is None else (failure.status_code or 502)
        self._server_span(inst, endpoint, t_s, cursor, status, failure, trace_id, span_id, parent)
        return cursor, status

    def _acquire(
        self, spec: ServiceSpec, inst: Instance, cond: Conditions, t_s: float
    ) -> tuple[float, Failure | None, float | None]:
        pool = self.pools[spec.name]
        granted = pool.acquire(t_s, cond.leaked_connections)
        if granted is not None:
            return granted, None, granted
        inst.meters.pool_timeouts += 1
        used = max(pool.in_use(t_s) + cond.leaked_connections, spec.pool_size)
        message = sig.LOG_POOL_TIMEOUT.format(
            pool=spec.pool_name,
            timeout_s=spec.pool_timeout_s,
            size=spec.pool_size,
            used=min(used, spec.pool_size),
        )
        failure = Failure(probability=1.0, error_type="PoolTimeout", message=message)
        return t_s + spec.pool_timeout_s, failure, None

    def _release(self, spec: ServiceSpec, inst: Instance, start_s: float, end_s: float) -> None:
        self.pools[spec.name].release(end_s)
        inst.meters.hold_connection(start_s, end_s)

    def _dependency(
        self,
        inst: Instance,
        dep: Dependency,
        cond: Conditions,
        t_s: float,
        trace_id: bytes,
        parent: bytes,
    ) -> tuple[float, Failure | None]:
        duration_s, failure = dependency_outcome(dep, cond, self.rng)
        end_s = t_s + duration_s
        attrs: dict[str, AttrValue] = dict(dep.attributes())
        if dep.kind is DependencyKind.EXTERNAL:
            if failure is None or failure.status_code:
                attrs["http.response.status_code"] = failure.status_code if failure else 200
            metric = sig.HTTP_CLIENT_DURATION
            labels: dict[str, AttrValue] = {
                "http.request.method": dep.method,
                "server.address": dep.address,
            }
        else:
            metric = sig.DB_CLIENT_DURATION
            labels = {
                "db.system": dep.system,
                "db.operation.name": dep.operation,
                "db.namespace": dep.namespace,
            }
        if failure is not None:
            attrs["error.type"] = failure.error_type
            labels["error.type"] = failure.error_type
        inst.meters.observe(metric, labels, duration_s)
        self.spans.add(
            inst.resource,
            make_span(
                trace_id=trace_id,
                span_id=self.new_id(8),
                parent_span_id=parent,
                name=dep.span_name(),
                kind="client",
                start_ns=self.ns(t_s),
                end_ns=self.ns(end_s),
                attrs=attrs,
                error=failure.message if failure else None,
                exception_type=failure.error_type if failure else None,
            ),
        )
        if failure is not None and failure.error_type == "SSLCertVerificationError":
            self._log(
                inst,
                end_s,
                "ERROR",
                sig.LOG_CERT.format(address=dep.address, port=dep.port),
                trace_id,
                parent,
                {"server.address": dep.address},
            )
        return end_s, failure

    def _call(
        self, inst: Instance, call: Call, t_s: float, trace_id: bytes, parent: bytes
    ) -> tuple[float, Failure | None]:
        callee = service(call.service)
        endpoint = callee.endpoint(f"{call.method} {call.route}")
        client_id = self.new_id(8)
        callee_end, status = self.serve(
            call.service, endpoint, t_s + NETWORK_S, trace_id, client_id
        )
        end_s = callee_end + NETWORK_S
        path = endpoint.path(self.rng)
        attrs: dict[str, AttrValue] = {
            "http.request.method": call.method,
            "url.full": f"http://{call.service}:{SERVICE_PORT}{path}",
            "server.address": call.service,
            "server.port": SERVICE_PORT,
            "peer.service": call.service,
        }
        failure: Failure | None = None
        if end_s - t_s > CLIENT_TIMEOUT_S:
            end_s = t_s + CLIENT_TIMEOUT_S
            failure = Failure(
                probability=1.0,
                error_type="ReadTimeout",
                message=f"timed out after {CLIENT_TIMEOUT_S:g}s calling "
                f"{call.service} {call.method} {path}",
                status_code=504,
            )
            attrs["error.type"] = "ReadTimeout"
        else:
            attrs["http.response.status_code"] = status
            if status >= 500:
                failure = Failure(
                    probability=1.0,
                    error_type=str(status),
                    message=f"{call.service} answered {status}",
                    status_code=502,
                )
                attrs["error.type"] = str(status)
        labels: dict[str, AttrValue] = {
            "http.request.method": call.method,
            "server.address": call.service,
            "http.response.status_code": status,
        }
        inst.meters.observe(sig.HTTP_CLIENT_DURATION, labels, end_s - t_s)
        self.spans.add(
            inst.resource,
            make_span(
                trace_id=trace_id,
                span_id=client_id,
                parent_span_id=parent,
                name=call.method,
                kind="client",
                start_ns=self.ns(t_s),
                end_ns=self.ns(end_s),
                attrs=attrs,
                error=failure.message if failure else None,
            ),
        )
        return end_s, failure

    def _server_span(
        self,
        inst: Instance,
        endpoint: Endpoint,
        start_s: float,
        end_s: float,
        status: int,
        failure: Failure | None,
        trace_id: bytes,
        span_id: bytes,
        parent: bytes,
    ) -> None:
        name = inst.spec.name
        path = endpoint.path(self.rng)
        attrs: dict[str, AttrValue] = {
            "http.request.method": endpoint.method,
            "http.route": endpoint.route,
            "url.path": path,
            "url.scheme": "http",
            "server.address": name,
            "server.port": SERVICE_PORT,
            "http.response.status_code": status,
        }
        origin = failure is not None and failure.status_code != 502
        if failure is not None:
            attrs["error.type"] = failure.error_type if origin else str(status)
        self.spans.add(
            inst.resource,
            make_span(
                trace_id=trace_id,
                span_id=span_id,
                parent_span_id=parent,
                name=endpoint.key,
                kind="server",
                start_ns=self.ns(start_s),
                end_ns=self.ns(end_s),
                attrs=attrs,
                error=failure.message if failure else None,
                exception_type=failure.error_type if origin and failure else None,
            ),
        )
        labels: dict[str, AttrValue] = {
            "http.request.method": endpoint.method,
            "http.route": endpoint.route,
            "http.response.status_code": status,
        }
        if failure is not None:
            labels["error.type"] = str(attrs["error.type"])
        duration_s = end_s - start_s
        inst.meters.observe(sig.HTTP_SERVER_DURATION, labels, duration_s)
        inst.meters.observe_request(duration_s)
        log_attrs: dict[str, AttrValue] = {
            "http.route": endpoint.route,
            "http.response.status_code": status,
        }
        if failure is not None:
            body = f"{endpoint.key} failed: {failure.error_type}: {failure.message}"
            self._log(
                inst, end_s, "ERROR" if origin else "WARN", body, trace_id, span_id, log_attrs
            )
            if origin and self.rng.random() < ERROR_EVENT_SAMPLE_RATE:
                self.errors.append(
                    ErrorReport(
                        time_ns=self.ns(end_s),
                        service=name,
                        version=inst.version,
                        instance=inst.instance_id,
                        route=endpoint.route,
                        error_type=failure.error_type,
                        message=failure.message,
                        trace_id=trace_id.hex(),
                        span_id=span_id.hex(),
                    )
                )
        elif self.rng.random() < ACCESS_LOG_SAMPLE_RATE:
            body = sig.LOG_REQUEST.format(
                method=endpoint.method, path=path, status=status, duration_ms=duration_s * 1000
            )
            self._log(inst, end_s, "INFO", body, trace_id, span_id, log_attrs)

    def _log(
        self,
        inst: Instance,
        t_s: float,
        severity: str,
        body: str,
        trace_id: bytes,
        span_id: bytes,
        attrs: dict[str, AttrValue],
    ) -> None:
        self.logs.add(
            inst.resource,
            make_log(
                time_ns=self.ns(t_s),
                severity=severity,
                body=body,
                attrs=attrs,
                trace_id=trace_id,
                span_id=span_id,
            ),
        )
