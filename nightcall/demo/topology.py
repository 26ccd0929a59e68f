"""The demo shop: its services, endpoints and dependencies, defined once.

Live mode runs these as processes and simulated mode computes their telemetry, both from the
definitions here, so a latency distribution or a call graph cannot differ between the two.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from enum import StrEnum

from nightcall.errors import UserError


@dataclass(frozen=True, slots=True, kw_only=True)
class Latency:
    """A log-normal latency: most calls near `median_ms`, a long right tail set by `sigma`."""

    median_ms: float
    sigma: float = 0.35

    def sample_s(self, rng: random.Random, factor: float = 1.0) -> float:
        return self.median_ms * factor * math.exp(rng.gauss(0.0, self.sigma)) / 1000.0


class DependencyKind(StrEnum):
    """What a client span talks to."""

    DATABASE = "database"
    CACHE = "cache"
    EXTERNAL = "external"


@dataclass(frozen=True, slots=True, kw_only=True)
class Dependency:
    """Something a service calls that is not one of the demo's services."""

    name: str
    kind: DependencyKind
    operation: str
    statement: str = ""
    address: str = ""
    port: int = 0
    url: str = ""
    method: str = "POST"
    system: str = ""
    namespace: str = ""
    latency: Latency
    error_rate: float = 0.0

    def span_name(self) -> str:
        if self.kind is DependencyKind.EXTERNAL:
            return self.method
        return f"{self.operation} {self.namespace}".strip()

    def attributes(self) -> dict[str, str | int]:
        """Semantic-convention attributes of the CLIENT span, as instrumentations set them."""
        if self.kind is DependencyKind.EXTERNAL:
            return {
                "http.request.method": self.method,
                "url.full": self.url,
                "server.address": self.address,
                "server.port": self.port,
            }
        return {
            "db.system": self.system,
            "db.namespace": self.namespace,
            "db.name": self.namespace,
            "db.operation": self.operation,
            "db.operation.name": self.operation,
            "db.statement": self.statement,
            "db.query.text": self.statement,
            "server.address": self.address,
            "server.port": self.port,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """A call to another demo service's endpoint, over HTTP with trace context."""

    service: str
    method: str
    route: str


Step = Call | Dependency


@dataclass(frozen=True, slots=True, kw_only=True)
class Endpoint:
    """One route of a service: its own work, then its steps in order."""

    method: str
    route: str
    work: Latency
    steps: tuple[Step, ...] = ()
    error_rate: float = 0.002
    uses_pool: bool = False

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"

    def path(self, rng: random.Random) -> str:
        """A concrete URL path for the route: `{id}` becomes a product or order number."""
        return self.route.replace("{id}", str(rng.randint(1, 400)))


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceSpec:
    """One service of the shop."""

    name: str
    version: str
    endpoints: tuple[Endpoint, ...]
    pool_size: int = 0
    pool_timeout_s: float = 2.0
    holds_connection_across_calls: bool = False
    base_cpu: float = 0.04
    cpu_per_request: float = 0.004
    base_memory_bytes: int = 180 * 1024 * 1024
    memory_limit_bytes: int = 1024 * 1024 * 1024
    next_version: str = ""

    def endpoint(self, key: str) -> Endpoint:
        for endpoint in self.endpoints:
            if endpoint.key == key:
                return endpoint
        choices = ", ".join(e.key for e in self.endpoints)
        raise UserError(f"{self.name} has no endpoint {key!r}", hint=f"one of {choices}")

    def dependencies(self) -> tuple[Dependency, ...]:
        seen: dict[str, Dependency] = {}
        for endpoint in self.endpoints:
            for step in endpoint.steps:
                if isinstance(step, Dependency):
                    seen.setdefault(step.name, step)
        return tuple(seen.values())

    @property
    def pool_name(self) -> str:
        return f"{self.name}-db"


def _pg(service: str, operation: str, statement: str, median_ms: float) -> Dependency:
    return Dependency(
        name=f"{service}-db",
        kind=DependencyKind.DATABASE,
        system="postgresql",
        namespace=service,
        operation=operation,
        statement=statement,
        address=f"{service}-db",
        port=5432,
        latency=Latency(median_ms=median_ms, sigma=0.45),
    )


def _redis(operation: str, statement: str) -> Dependency:
    return Dependency(
        name="redis",
        kind=DependencyKind.CACHE,
        system="redis",
        namespace="0",
        operation=operation,
        statement=statement,
        address="redis",
        port=6379,
        latency=Latency(median_ms=0.8, sigma=0.3),
    )


PAYGATE = Dependency(
    name="paygate",
    kind=DependencyKind.EXTERNAL,
    operation="POST",
    address="api.paygate.example",
    port=443,
    url="https://api.paygate.example/v1/charges",
    method="POST",
    latency=Latency(median_ms=120, sigma=0.3),
    error_rate=0.003,
)
CARRIER = Dependency(
    name="carrier",
    kind=DependencyKind.EXTERNAL,
    operation="GET",
    address="api.shipfast.example",
    port=443,
    url="https://api.shipfast.example/v2/rates",
    method="GET",
    latency=Latency(median_ms=60, sigma=0.3),
    error_rate=0.002,
)

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        name="frontend",
        version="2.14.0",
        next_version="2.15.0",
        base_memory_bytes=240 * 1024 * 1024,
        endpoints=(
            Endpoint(
                method="GET",
                route="/",
                work=Latency(median_ms=4),
                steps=(Call(service="catalog", method="GET", route="/products"),),
            ),
            Endpoint(
                method="GET",
                route="/product/{id}",
                work=Latency(median_ms=3),
                steps=(Call(service="catalog", method="GET", route="/products/{id}"),),
            ),
            Endpoint(
                method="POST",
                route="/cart",
                work=Latency(median_ms=3),
                steps=(Call(service="cart", method="POST", route="/cart/items"),),
            ),
            Endpoint(
                method="POST",
                route="/checkout",
                work=Latency(median_ms=5),
                steps=(Call(service="checkout", method="POST", route="/checkout"),),
            ),
        ),
    ),
    ServiceSpec(
        name="catalog",
        version="1.8.2",
        next_version="1.9.0",
        pool_size=10,
        endpoints=(
            Endpoint(
                method="GET",
                route="/products",
                work=Latency(median_ms=6),
                uses_pool=True,
                steps=(
                    _redis("GET", "GET catalog:front"),
                    _pg(
                        "catalog",
                        "SELECT",
                        "SELECT id, name, price FROM products ORDER BY rank LIMIT ?",
                        9,
                    ),
                ),
            ),
            Endpoint(
                method="GET",
                route="/products/{id}",
                work=Latency(median_ms=4),
                uses_pool=True,
                steps=(
                    _redis("GET", "GET product:?"),
                    _pg("catalog", "SELECT", "SELECT * FROM products WHERE id = ?", 4),
                ),
            ),
        ),
    ),
    ServiceSpec(
        name="cart",
        version="3.2.1",
        next_version="3.3.0",
        base_memory_bytes=90 * 1024 * 1024,
        memory_limit_bytes=512 * 1024 * 1024,
        endpoints=(
            Endpoint(
                method="GET",
                route="/cart",
                work=Latency(median_ms=2),
                steps=(_redis("HGETALL", "HGETALL cart:?"),),
            ),
            Endpoint(
                method="POST",
                route="/cart/items",
                work=Latency(median_ms=3),
                steps=(_redis("HSET", "HSET cart:? ? ?"),),
            ),
        ),
    ),
    ServiceSpec(
        name="checkout",
        version="5.0.3",
        next_version="5.1.0",
        pool_size=4,
        holds_connection_across_calls=True,  # one transaction around the whole order
        endpoints=(
            Endpoint(
                method="POST",
                route="/checkout",
                work=Latency(median_ms=8),
                uses_pool=True,
                steps=(
                    Call(service="cart", method="GET", route="/cart"),
                    Call(service="shipping", method="POST", route="/quote"),
                    Call(service="payment", method="POST", route="/charge"),
                    _pg(
                        "checkout",
                        "INSERT",
                        "INSERT INTO orders (id, cart, total) VALUES (?, ?, ?)",
                        6,
                    ),
                ),
            ),
        ),
    ),
    ServiceSpec(
        name="payment",
        version="4.1.0",
        next_version="4.2.0",
        pool_size=6,
        base_memory_bytes=420 * 1024 * 1024,
        memory_limit_bytes=1536 * 1024 * 1024,
        endpoints=(
            Endpoint(
                method="POST",
                route="/charge",
                work=Latency(median_ms=5),
                uses_pool=True,
                steps=(
                    PAYGATE,
                    _pg(
                        "payment",
                        "INSERT",
                        "INSERT INTO payments (order_id, amount, status) VALUES (?, ?, ?)",
                        5,
                    ),
                ),
            ),
        ),
    ),
    ServiceSpec(
        name="shipping",
        version="2.0.7",
        next_version="2.1.0",
        pool_size=6,
        endpoints=(
            Endpoint(
                method="POST",
                route="/quote",
                work=Latency(median_ms=4),
                uses_pool=True,
                steps=(
                    _pg("shipping", "SELECT", "SELECT zone, price FROM rates WHERE zone = ?", 3),
                    CARRIER,
                ),
            ),
        ),
    ),
)

SERVICE_NAMES: tuple[str, ...] = tuple(s.name for s in SERVICES)
MOBILE_SERVICE = "shop-ios"
CLIENT_TIMEOUT_S = 10.0  # a generous client timeout, as many services ship with


def service(name: str) -> ServiceSpec:
    """The service called `name`; the error lists the valid names."""
    for spec in SERVICES:
        if spec.name == name:
            return spec
    raise UserError(
        f"the demo has no service {name!r}",
        location="service",
        hint="one of " + ", ".join(SERVICE_NAMES),
    )


def callers_of(name: str) -> tuple[str, ...]:
    """The services that call `name` directly."""
    return tuple(
        s.name
        for s in SERVICES
        if any(isinstance(st, Call) and st.service == name for e in s.endpoints for st in e.steps)
    )
