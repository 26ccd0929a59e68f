"""One live shop service: a small HTTP server on 127.0.0.1, instrumented like a user's service.

Each request runs the endpoint's steps from the topology for real: CPU work, a connection from
a real (semaphore) pool, dependency calls as CLIENT spans that take the sampled time, and calls
to other services over HTTP with W3C trace context. Faults act through `conditions_at`, the
same function the simulation reads. Errors go to nightcall's Sentry endpoint via sentry-sdk.
"""

from __future__ import annotations

import builtins
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import sentry_sdk
from opentelemetry.propagate import extract, inject
from opentelemetry.trace import SpanKind, Status, StatusCode

from nightcall.demo import signals as sig
from nightcall.demo.effects import (
    Conditions,
    Failure,
    conditions_at,
    dependency_outcome,
    endpoint_failure,
    work_s,
)
from nightcall.demo.process import ProcessConfig, watch_deadline
from nightcall.demo.service_runtime import LivePool, RuntimeLoop
from nightcall.demo.telemetry import Sdk, start_sdk
from nightcall.demo.topology import (
    CLIENT_TIMEOUT_S,
    Call,
    Dependency,
    DependencyKind,
    Endpoint,
    service,
)

ERROR_EVENT_SAMPLE_RATE = 0.5
CPU_SHARE_OF_WORK = 0.3


class DemoFailure(Exception):
    """A request ending in one of the topology's failures; `origin` if this service raised it."""

    def __init__(self, failure: Failure, *, origin: bool, status: int):
        super().__init__(failure.message)
        self.failure, self.origin, self.status = failure, origin, status


def exception_for(failure: Failure) -> Exception:
    """An exception of the failure's type name, so error events group as a user's would."""
    found = getattr(builtins, failure.error_type, None)
    cls: type[Exception]
    if isinstance(found, type) and issubclass(found, Exception):
        cls = found
    else:
        cls = type(failure.error_type, (Exception,), {"__module__": "shop.errors"})
    return cls(failure.message)


def burn(seconds: float) -> None:
    """Keep the CPU busy for `seconds` (the service's own computation)."""
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        sum(i * i for i in range(200))


class ShopService:
    """The handlers of one service, with its SDK, pool and fault conditions."""

    def __init__(self, config: ProcessConfig):
        self.config = config
        self.spec = service(config.name)
        self.faults = config.fault_list()
        self.rng = random.Random(config.seed)
        self.version = self.conditions().version
        self.instance_id = f"{random.getrandbits(64):016x}"
        self.pool = LivePool(self.spec.pool_name, self.spec.pool_size, self.spec.pool_timeout_s)
        self.sdk: Sdk = start_sdk(
            {
                "service.name": self.spec.name,
                "service.namespace": "shop",
                "service.version": self.version,
                "service.instance.id": self.instance_id,
                "host.name": "demo-host",
                "process.runtime.name": "cpython",
            },
            url=config.url,
            key=config.key,
            pool=self.pool.usage if self.spec.pool_size else None,
        )
        self.http = httpx.Client(timeout=CLIENT_TIMEOUT_S)
        self.routes = [
            (re.compile("^" + re.sub(r"\{id\}", r"[^/]+", e.route) + "$"), e)
            for e in self.spec.endpoints
        ]

    def conditions(self) -> Conditions:
        return conditions_at(self.faults, self.config.name, time.time() - self.config.origin_s)

    def match(self, method: str, path: str) -> Endpoint | None:
        for pattern, endpoint in self.routes:
            if endpoint.method == method and pattern.match(path.split("?", maxsplit=1)[0]):
                return endpoint
        return None

    def handle(self, endpoint: Endpoint, path: str, headers: dict[str, str]) -> int:
        """Serve one request; returns the HTTP status."""
        cond = self.conditions()
        tracer, inst = self.sdk.tracer, self.sdk.instruments
        attrs: dict[str, str | int] = {
            "http.request.method": endpoint.method,
            "http.route": endpoint.route,
            "url.path": path,
            "url.scheme": "http",
            "server.address": "127.0.0.1",
            "server.port": self.config.port,
        }
        started = time.perf_counter()
        inst.active_requests.add(1)
        with tracer.start_as_current_span(
            endpoint.key,
            context=extract(headers),
            kind=SpanKind.SERVER,
            attributes=attrs,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            status = 200
            try:
                self._run(endpoint, cond)
            except DemoFailure as exc:
                status = exc.status
                error_type = exc.failure.error_type if exc.origin else str(status)
                span.set_attribute("error.type", error_type)
                span.set_status(Status(StatusCode.ERROR, exc.failure.message))
                body = f"{endpoint.key} failed: {exc.failure.error_type}: {exc.failure.message}"
                extra = {"http.route": endpoint.route, "http.response.status_code": status}
                if exc.origin:
                    error = exception_for(exc.failure)
                    span.record_exception(error)
                    self.sdk.logger.error(body, extra=extra)
                    if self.rng.random() < ERROR_EVENT_SAMPLE_RATE:
                        self._report(error, endpoint, span.get_span_context().trace_id)
                else:
                    self.sdk.logger.warning(body, extra=extra)
            span.set_attribute("http.response.status_code", status)
        labels: dict[str, str | int] = {
            "http.request.method": endpoint.method,
            "http.route": endpoint.route,
            "http.response.status_code": status,
        }
        inst.server_duration.record(time.perf_counter() - started, labels)
        inst.active_requests.add(-1)
        return status

    def _run(self, endpoint: Endpoint, cond: Conditions) -> None:
        own = work_s(endpoint, cond, self.rng)
        self._work(own / 2)
        across = endpoint.uses_pool and self.spec.holds_connection_across_calls
        if across:
            self._acquire()
        try:
            for step in endpoint.steps:
                if isinstance(step, Dependency):
                    pooled = endpoint.uses_pool and not across
                    if pooled and step.kind is DependencyKind.DATABASE:
                        self._acquire()
                        try:
                            self._dependency(step, cond)
                        finally:
                            self.pool.release()
                    else:
                        self._dependency(step, cond)
                else:
                    self._call(step)
        finally:
            if across:
                self.pool.release()
        failure = endpoint_failure(endpoint, cond, self.rng)
        if failure is not None:
            raise DemoFailure(failure, origin=True, status=failure.status_code or 500)
        self._work(own / 2)

    def _work(self, seconds: float) -> None:
        burn(seconds * CPU_SHARE_OF_WORK)
        time.sleep(seconds * (1 - CPU_SHARE_OF_WORK))

    def _acquire(self) -> None:
        if self.pool.acquire():
            return
        self.sdk.instruments.pool_timeouts.add(1, {"pool.name": self.spec.pool_name})
        name, used, size = self.pool.usage()
        message = sig.LOG_POOL_TIMEOUT.format(
            pool=name, timeout_s=self.spec.pool_timeout_s, size=size, used=used
        )
        failure = Failure(probability=1.0, error_type="PoolTimeout", message=message)
        raise DemoFailure(failure, origin=True, status=500)

    def _dependency(self, dep: Dependency, cond: Conditions) -> None:
        duration_s, failure = dependency_outcome(dep, cond, self.rng)
        with self.sdk.tracer.start_as_current_span(
            dep.span_name(),
            kind=SpanKind.CLIENT,
            attributes=dep.attributes(),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            time.sleep(duration_s)
            external = dep.kind is DependencyKind.EXTERNAL
            labels: dict[str, str | int] = (
                {"http.request.method": dep.method, "server.address": dep.address}
                if external
                else {
                    "db.system": dep.system,
                    "db.operation.name": dep.operation,
                    "db.namespace": dep.namespace,
                }
            )
            if external and (failure is None or failure.status_code):
                span.set_attribute(
                    "http.response.status_code", failure.status_code if failure else 200
                )
            if failure is not None:
                labels["error.type"] = failure.error_type
                span.set_attribute("error.type", failure.error_type)
                span.set_status(Status(StatusCode.ERROR, failure.message))
                span.record_exception(exception_for(failure))
                if failure.error_type == "SSLCertVerificationError":
                    self.sdk.logger.error(
                        sig.LOG_CERT.format(address=dep.address, port=dep.port),
                        extra={"server.address": dep.address},
                    )
            histogram = (
                self.sdk.instruments.client_duration
                if external
                else self.sdk.instruments.db_duration
            )
            histogram.record(duration_s, labels)
        if failure is not None:
            raise DemoFailure(
                failure, origin=failure.status_code != 502, status=failure.status_code or 502
            )

    def _call(self, call: Call) -> None:
        callee = service(call.service).endpoint(f"{call.method} {call.route}")
        path = callee.path(self.rng)
        url = f"http://127.0.0.1:{self.config.ports[call.service]}{path}"
        attrs: dict[str, str | int] = {
            "http.request.method": call.method,
            "url.full": url,
            "server.address": "127.0.0.1",
            "server.port": self.config.ports[call.service],
            "peer.service": call.service,
        }
        started = time.perf_counter()
        status = 0
        with self.sdk.tracer.start_as_current_span(
            call.method,
            kind=SpanKind.CLIENT,
            attributes=attrs,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            headers: dict[str, str] = {}
            inject(headers)
            try:
                status = self.http.request(call.method, url, headers=headers).status_code
            except httpx.HTTPError as exc:
                message = (
                    f"timed out after {CLIENT_TIMEOUT_S:g}s calling {call.service} "
                    f"{call.method} {path}"
                    if isinstance(exc, httpx.TimeoutException)
                    else f"calling {call.service} failed: {exc}"
                )
                span.set_attribute("error.type", type(exc).__name__)
                span.set_status(Status(StatusCode.ERROR, message))
                failure = Failure(
                    probability=1.0, error_type="ReadTimeout", message=message, status_code=504
                )
                self._record_client(call, started, status)
                raise DemoFailure(failure, origin=True, status=504) from None
            span.set_attribute("http.response.status_code", status)
            if status >= 500:
                span.set_attribute("error.type", str(status))
                span.set_status(Status(StatusCode.ERROR, f"{call.service} answered {status}"))
        self._record_client(call, started, status)
        if status >= 500:
            failure = Failure(
                probability=1.0,
                error_type=str(status),
                message=f"{call.service} answered {status}",
                status_code=502,
            )
            raise DemoFailure(failure, origin=False, status=502)

    def _record_client(self, call: Call, started: float, status: int) -> None:
        labels: dict[str, str | int] = {
            "http.request.method": call.method,
            "server.address": call.service,
            "http.response.status_code": status,
        }
        self.sdk.instruments.client_duration.record(time.perf_counter() - started, labels)

    def _report(self, error: Exception, endpoint: Endpoint, trace_id: int) -> None:
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("service", self.spec.name)
            scope.set_tag("http.route", endpoint.route)
            scope.set_context("otel", {"trace_id": f"{trace_id:032x}"})
            scope.set_transaction_name(endpoint.route)
            try:
                raise error
            except Exception:
                sentry_sdk.capture_exception()


def _handler_for(shop: ShopService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            if length:
                self.rfile.read(length)
            endpoint = shop.match(self.command, self.path)
            status = (
                404
                if endpoint is None
                else shop.handle(
                    endpoint, self.path, {k.lower(): v for k, v in self.headers.items()}
                )
            )
            body = b'{"ok":true}' if status < 400 else b'{"ok":false}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = _serve  # noqa: N815  # http.server dispatches on these names
        do_POST = _serve  # noqa: N815  # http.server dispatches on these names

        def log_message(self, format: str, *args: object) -> None:  # stdlib's name
            return

    return Handler


def run_service(config: ProcessConfig) -> int:
    """Serve until the run ends (or a fault restarts the process); returns the exit code."""
    shop = ShopService(config)
    sentry_sdk.init(
        dsn=config.dsn,
        release=f"{shop.spec.name}@{shop.version}",
        environment="demo",
        server_name=shop.instance_id,
        sample_rate=1.0,
        default_integrations=False,
        auto_enabling_integrations=False,
    )
    server = ThreadingHTTPServer(("127.0.0.1", config.port), _handler_for(shop))
    server.daemon_threads = True
    exit_code = [0]

    def stop(code: int = 0) -> None:
        exit_code[0] = exit_code[0] or code
        threading.Thread(target=server.shutdown, daemon=True).start()

    runtime = RuntimeLoop(
        shop.spec, shop.faults, config, shop.pool, shop.sdk.logger, shop.version, stop
    )
    shop.sdk.logger.info(
        sig.LOG_START.format(
            service=shop.spec.name, version=shop.version, instance=shop.instance_id
        )
    )
    runtime.start()
    watch_deadline(config, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        shop.http.close()
        sentry_sdk.flush(timeout=2)
        shop.sdk.shutdown()
    return exit_code[0]
