"""A check result → metric points and, for a failure, a log record. Pure.

    probe.up                    gauge, 1 when the expected status came back, else 0
    probe.http.status_code      gauge, when a response came back
    probe.duration              gauge, seconds, until the body was read (or the failure)
    probe.body.size             gauge, bytes
    probe.tls.cert.days_left    gauge, for https
    probe.errors                delta counter, with error.type (dns, connect, timeout, tls,
                                protocol, unexpected_status)
    probe.reported.<key>        gauges: numbers of a JSON body's `metrics` object

Every point carries `probe.name` and `url.full`, under the probe's service.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import orjson

from nightcall.config.probes import ProbeConfig
from nightcall.ingest.log_records import LogRecord, Severity
from nightcall.ingest.metric_points import Gauge, MetricPoint, MetricResource, Sum, Temporality
from nightcall.ingest.probes.check import CheckResult

MAX_REPORTED = 100  # numbers taken from one `metrics` object


def probe_resource(probe: ProbeConfig) -> MetricResource:
    """The resource a probe's points and logs are filed under."""
    service = probe.service_name
    return MetricResource(
        service=service,
        attributes={"service.name": service, "nightcall.source": "probe"},
        scope_name="nightcall.probes",
    )


def reported_metrics(body: bytes, content_type: str) -> dict[str, float]:
    """Finite numbers of a JSON body's `metrics` object, nested keys joined with dots."""
    if not body or ("json" not in content_type and body[:1] != b"{"):
        return {}
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    metrics = document.get("metrics") if isinstance(document, dict) else None
    if not isinstance(metrics, dict):
        return {}
    found: dict[str, float] = {}
    for key, value in _numbers(metrics, ""):
        if len(found) >= MAX_REPORTED:
            break
        found[key] = value
    return found


def _numbers(values: dict[str, object], prefix: str) -> Iterator[tuple[str, float]]:
    for key, value in values.items():
        if isinstance(value, int | float) and math.isfinite(value):  # true/false count as 1/0
            yield prefix + key, float(value)
        elif isinstance(value, dict):
            yield from _numbers(value, f"{prefix}{key}.")


def check_points(probe: ProbeConfig, result: CheckResult, *, time_ns: int) -> list[MetricPoint]:
    """The metric points of one check."""
    resource = probe_resource(probe)
    labels = {"probe.name": probe.name, "url.full": probe.url}

    def gauge(name: str, value: float, unit: str = "") -> Gauge:
        return Gauge(
            resource=resource, name=name, time_ns=time_ns, value=value, unit=unit, attributes=labels
        )

    points: list[MetricPoint] = [
        gauge("probe.up", 1.0 if result.is_up else 0.0),
        gauge("probe.duration", result.duration_s, "s"),
    ]
    if result.status_code is not None:
        points.append(gauge("probe.http.status_code", float(result.status_code)))
    if result.body_size is not None:
        points.append(gauge("probe.body.size", float(result.body_size), "By"))
    if result.cert_days_left is not None:
        points.append(gauge("probe.tls.cert.days_left", result.cert_days_left, "d"))
    if result.error is not None:
        points.append(
            Sum(
                resource=resource,
                name="probe.errors",
                time_ns=time_ns,
                start_ns=result.started_ns,
                value=1.0,
                unit="{error}",
                attributes={**labels, "error.type": result.error},
                temporality=Temporality.DELTA,
            )
        )
    for key, value in reported_metrics(result.body, result.content_type).items():
        points.append(gauge(f"probe.reported.{key}", value))
    return points


def check_log(probe: ProbeConfig, result: CheckResult, *, time_ns: int) -> LogRecord | None:
    """A WARN (unexpected status) or ERROR (no answer) record for a failed check, else None."""
    if result.error is None:
        return None
    attributes = {"probe.name": probe.name, "url.full": probe.url, "error.type": result.error}
    if result.status_code is not None:
        attributes["http.response.status_code"] = str(result.status_code)
    severity = Severity.WARN if result.error == "unexpected_status" else Severity.ERROR
    return LogRecord(
        resource=probe_resource(probe),
        time_ns=time_ns,
        severity=severity,
        body=f"probe {probe.name!r}: GET {probe.url} failed ({result.error}): {result.detail}",
        attributes=attributes,
        event_name="probe.failure",
    )
