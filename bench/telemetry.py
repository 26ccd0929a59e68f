"""Realistic OTLP trace requests for the benchmarks: service call trees with HTTP/DB attributes.

Each trace is a tree: an entry span on a front service (Server kind), then client calls to
other services whose own Server spans call further down or a database. Spans are grouped per
service into ResourceSpans, as an SDK exporter in each service would send them (here many
services share one request, as a Collector forwarding them would).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, Span, Status

ROUTES = ("/api/orders", "/api/orders/{id}", "/api/cart", "/api/users/{id}", "/checkout",
          "/api/search", "/api/payments", "/health", "/api/inventory/{sku}", "/login")  # fmt: skip
METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
DB_STATEMENTS = (
    "SELECT id, total, status FROM orders WHERE user_id = ? ORDER BY created_at DESC LIMIT 20",
    "UPDATE inventory SET reserved = reserved + ? WHERE sku = ?",
    "INSERT INTO payments (order_id, amount, currency) VALUES (?, ?, ?)",
    "SELECT * FROM users WHERE id = ?",
)


def _kv(key: str, value: str | int | bool) -> KeyValue:
    if isinstance(value, bool):
        return KeyValue(key=key, value=AnyValue(bool_value=value))
    if isinstance(value, int):
        return KeyValue(key=key, value=AnyValue(int_value=value))
    return KeyValue(key=key, value=AnyValue(string_value=value))


def service_names(count: int) -> list[str]:
    base = ("frontend", "checkout", "cart", "payments", "orders", "inventory", "users",
            "search", "shipping", "email", "auth", "recommendations", "ads", "currency",
            "quotes", "fraud", "ledger", "notifications", "catalog", "reviews")  # fmt: skip
    return [base[i] if i < len(base) else f"service-{i}" for i in range(count)]


def resource_attributes(service: str, index: int) -> list[KeyValue]:
    return [
        _kv("service.name", service),
        _kv("service.version", f"1.{index % 7}.{index % 3}"),
        _kv("service.namespace", "shop"),
        _kv("deployment.environment", "production"),
        _kv("host.name", f"node-{index % 4}.cluster.local"),
        _kv("k8s.namespace.name", "shop"),
        _kv("k8s.pod.name", f"{service}-7c9d{index:02d}f5b-x{index % 5}q"),
        _kv("telemetry.sdk.language", "python"),
        _kv("telemetry.sdk.name", "opentelemetry"),
        _kv("telemetry.sdk.version", "1.27.0"),
    ]


class TraceGenerator:
    """Builds requests of whole traces; deterministic for a seed."""

    def __init__(self, *, services: int, seed: int, start_ns: int, span_s: float = 1.0):
        self.random = random.Random(seed)
        self.services = service_names(services)
        self.resources = [resource_attributes(s, i) for i, s in enumerate(self.services)]
        self.start_ns = start_ns
        self.span_ns = int(span_s * 1e9)

    def _ids(self, n: int) -> bytes:
        return self.random.getrandbits(8 * n).to_bytes(n, "big") or b"\x01" * n

    def trace(self, size: int, start_ns: int) -> Iterator[tuple[int, Span]]:
        """`size` spans of one trace as (service index, span)."""
        rng = self.random
        trace_id = self._ids(16)
        duration = rng.randint(5_000_000, 400_000_000)
        is_error = rng.random() < 0.03
        route = rng.choice(ROUTES)
        # (service, span id, start, end, depth) of spans that may get children
        root_id = self._ids(8)
        parents = [(0, root_id, start_ns, start_ns + duration)]
        yield 0, self._server_span(trace_id, root_id, b"", route, start_ns, duration, is_error)
        made = 1
        while made < size:
            service, parent_id, p_start, p_end = rng.choice(parents)
            callee = rng.randrange(1, len(self.services))
            width = max(1, (p_end - p_start) // 3)
            c_start = p_start + rng.randrange(0, width)
            c_dur = rng.randrange(1, width + 1)
            client_id = self._ids(8)
            if rng.random() < 0.25 or made + 1 >= size:
                yield service, self._db_span(trace_id, client_id, parent_id, c_start, c_dur)
                made += 1
                continue
            yield service, self._client_span(trace_id, client_id, parent_id, callee, route,
                                             c_start, c_dur)  # fmt: skip
            server_id = self._ids(8)
            s_start, s_dur = c_start + 200_000, max(1, c_dur - 400_000)
            yield (
                callee,
                self._server_span(
                    trace_id, server_id, client_id, route, s_start, s_dur, is_error and made < 4
                ),
            )
            parents.append((callee, server_id, s_start, s_start + s_dur))
            made += 2

    def _server_span(self, trace_id: bytes, span_id: bytes, parent: bytes, route: str,
                     start: int, duration: int, is_error: bool) -> Span:  # fmt: skip
        method = self.random.choice(METHODS)
        code = 500 if is_error else self.random.choice((200, 200, 200, 201, 204, 404))
        span = Span(
            trace_id=trace_id, span_id=span_id, parent_span_id=parent,
            name=f"{method} {route}", kind=Span.SPAN_KIND_SERVER,
            start_time_unix_nano=start, end_time_unix_nano=start + duration,
            attributes=[_kv("http.method", method), _kv("http.route", route),
                        _kv("http.status_code", code), _kv("http.scheme", "http"),
                        _kv("net.host.port", 8080),
                        _kv("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)")],
            status=Status(code=Status.STATUS_CODE_ERROR if is_error else Status.STATUS_CODE_UNSET,
                          message="Internal Server Error" if is_error else ""),
        )  # fmt: skip
        if is_error:
            span.events.add(
                time_unix_nano=start + duration // 2,
                name="exception",
                attributes=[_kv("exception.type", "TimeoutError"),
                            _kv("exception.message", "upstream timed out after 2.0s"),
                            _kv("exception.escaped", True)],
            )  # fmt: skip
        return span

    def _client_span(self, trace_id: bytes, span_id: bytes, parent: bytes, callee: int,
                     route: str, start: int, duration: int) -> Span:  # fmt: skip
        method = self.random.choice(METHODS)
        return Span(
            trace_id=trace_id, span_id=span_id, parent_span_id=parent,
            name=f"{method}", kind=Span.SPAN_KIND_CLIENT,
            start_time_unix_nano=start, end_time_unix_nano=start + duration,
            attributes=[_kv("http.method", method),
                        _kv("http.url", f"http://{self.services[callee]}:8080{route}"),
                        _kv("http.status_code", 200),
                        _kv("net.peer.name", self.services[callee]),
                        _kv("net.peer.port", 8080)],
        )  # fmt: skip

    def _db_span(self, trace_id: bytes, span_id: bytes, parent: bytes, start: int,
                 duration: int) -> Span:  # fmt: skip
        statement = self.random.choice(DB_STATEMENTS)
        span = Span(
            trace_id=trace_id, span_id=span_id, parent_span_id=parent,
            name=statement.split()[0], kind=Span.SPAN_KIND_CLIENT,
            start_time_unix_nano=start, end_time_unix_nano=start + duration,
            attributes=[_kv("db.system", "postgresql"), _kv("db.name", "shop"),
                        _kv("db.statement", statement), _kv("net.peer.name", "postgres.db"),
                        _kv("net.peer.port", 5432)],
        )  # fmt: skip
        if self.random.random() < 0.05:
            span.events.add(time_unix_nano=start + 1000, name="connection.acquired",
                            attributes=[_kv("pool.size", 20)])  # fmt: skip
            span.events.add(time_unix_nano=start + 2000, name="query.sent")
        return span

    def request(self, spans: int, start_ns: int | None = None) -> ExportTraceServiceRequest:
        """One export request of `spans` spans in whole traces, grouped by service."""
        base = self.start_ns if start_ns is None else start_ns
        by_service: dict[int, list[Span]] = {}
        made = 0
        while made < spans:
            size = min(spans - made, self.random.randint(4, 30))
            start = base + self.random.randrange(0, self.span_ns)
            for service, span in self.trace(size, start):
                by_service.setdefault(service, []).append(span)
                made += 1
        request = ExportTraceServiceRequest()
        for service, service_spans in sorted(by_service.items()):
            resource_spans: ResourceSpans = request.resource_spans.add()
            resource_spans.resource.attributes.extend(self.resources[service])
            scope = resource_spans.scope_spans.add()
            scope.scope.name = "opentelemetry.instrumentation.flask"
            scope.scope.version = "0.48b0"
            scope.spans.extend(service_spans)
        return request
