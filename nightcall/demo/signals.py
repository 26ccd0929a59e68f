"""The names, units and buckets of the demo's telemetry: OpenTelemetry semantic conventions only.

Both modes emit exactly these, so an analysis that works on the simulation reads the same names
on the live system, and on any service instrumented the usual way.
"""

from __future__ import annotations

from typing import Final

# Metrics (name, unit)
HTTP_SERVER_DURATION: Final = "http.server.request.duration"
HTTP_CLIENT_DURATION: Final = "http.client.request.duration"
HTTP_SERVER_ACTIVE: Final = "http.server.active_requests"
DB_CLIENT_DURATION: Final = "db.client.operation.duration"
DB_POOL_USAGE: Final = "db.client.connections.usage"
DB_POOL_MAX: Final = "db.client.connections.max"
DB_POOL_TIMEOUTS: Final = "db.client.connections.timeouts"
PROCESS_CPU: Final = "process.cpu.utilization"
PROCESS_MEMORY: Final = "process.memory.usage"
PROCESS_THREADS: Final = "process.thread.count"
PROCESS_UPTIME: Final = "process.uptime"
GC_COLLECTIONS: Final = "cpython.gc.collections"

UNITS: Final[dict[str, str]] = {
    HTTP_SERVER_DURATION: "s",
    HTTP_CLIENT_DURATION: "s",
    HTTP_SERVER_ACTIVE: "{request}",
    DB_CLIENT_DURATION: "s",
    DB_POOL_USAGE: "{connection}",
    DB_POOL_MAX: "{connection}",
    DB_POOL_TIMEOUTS: "{timeout}",
    PROCESS_CPU: "1",
    PROCESS_MEMORY: "By",
    PROCESS_THREADS: "{thread}",
    PROCESS_UPTIME: "s",
    GC_COLLECTIONS: "{collection}",
}

# The explicit bucket bounds the semantic conventions advise for HTTP and DB durations.
DURATION_BOUNDS_S: Final[tuple[float, ...]] = (
    0.005,
    0.01,
    0.025,
    0.05,
    0.075,
    0.1,
    0.25,
    0.5,
    0.75,
    1.0,
    2.5,
    5.0,
    7.5,
    10.0,
)

# How often each mode reports metrics (the SDK's periodic reader interval).
SIM_EXPORT_INTERVAL_S: Final = 10.0
LIVE_EXPORT_INTERVAL_S: Final = 5.0

SCOPE_NAME: Final = "nightcall.demo"
SDK_RESOURCE: Final[dict[str, str]] = {
    "telemetry.sdk.name": "opentelemetry",
    "telemetry.sdk.language": "python",
    "deployment.environment.name": "demo",
}

# Log bodies whose wording analyses (and people) search for.
LOG_REQUEST = "{method} {path} {status} {duration_ms:.1f}ms"
LOG_POOL_TIMEOUT = (
    "timeout acquiring connection from pool {pool} after {timeout_s:.1f}s "
    "(size {size}, in use {used})"
)
LOG_OOM = "worker killed: out of memory (rss {rss_mib} MiB > limit {limit_mib} MiB), restarting"
LOG_START = "starting {service} version {version} (instance {instance})"
LOG_BATCH_START = "batch job {job} started"
LOG_BATCH_END = "batch job {job} finished: {rows} rows in {seconds:.0f}s"
LOG_CERT = (
    "TLS handshake with {address}:{port} failed: [SSL: CERTIFICATE_VERIFY_FAILED] certificate "
    "verify failed: certificate has expired"
)
LOG_MOBILE_CRASH = "app crashed: {type}: {value}"
