"""Everything a diagnosis reads from the store for one window, in one record.

The reduced series (see `store.queries_signals`), the change events, the log signatures, the
error events per device, and each service's resource (host, pid, pod) for the steps a person
will run. All of it is aggregated in the engine; what reaches Python grows with the number of
services and steps, not with the number of spans.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

from nightcall.explain.signatures import SignatureHit, find_signatures
from nightcall.model import ChangeEvent, Series, SeriesKey, SeriesKind
from nightcall.store.queries_changes import change_events
from nightcall.store.queries_log_templates import TemplateCounts, template_counts
from nightcall.store.queries_signals import (
    dependency_series,
    dependency_services,
    error_event_series,
    log_series,
    metric_signal_series,
    span_series,
    step_for,
)
from nightcall.store.queries_traces import Window
from nightcall.store.schema import ERROR_EVENTS, TRACES
from nightcall.store.store import Store

RESOURCE_KEYS = ("host.name", "process.pid", "service.instance.id", "service.version",
                 "k8s.pod.name", "k8s.namespace.name", "container.id", "deployment.environment",
                 "deployment.environment.name")  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceCount:
    """Error events of one service from one device and OS in one step bucket."""

    device: str
    os: str
    bucket: int
    count: int


SIGNALS = ("spans", "calls", "logs", "errors", "metrics")


def signal_of(key: SeriesKey) -> str:
    """Which kind of telemetry a series comes from: one of `SIGNALS`."""
    if key.name in {"requests", "error_rate", "latency_p95"}:
        return "spans"
    if key.name in {"calls", "call_error_rate", "call_latency_p95"}:
        return "calls"
    if key.name.startswith("log_"):
        return "logs"
    if key.name == "error_events":
        return "errors"
    return "metrics"


@dataclass(frozen=True, slots=True, kw_only=True)
class Telemetry:
    """The inputs of one diagnosis."""

    window: Window
    step_ns: int
    series: tuple[Series, ...]
    changes: tuple[ChangeEvent, ...] = ()
    signatures: tuple[SignatureHit, ...] = ()
    devices: dict[str, tuple[DeviceCount, ...]] = field(default_factory=dict)
    resources: dict[str, dict[str, str]] = field(default_factory=dict)
    templates: TemplateCounts | None = None
    skipped_metrics: int = 0
    read_s: float = 0.0

    @property
    def services(self) -> list[str]:
        return sorted({s.key.service for s in self.series if s.key.service})

    def only(self, signals: frozenset[str]) -> Telemetry:
        """The same telemetry restricted to `signals` (an ablation, or a source a site lacks)."""
        return replace(
            self,
            series=tuple(s for s in self.series if signal_of(s.key) in signals),
            signatures=tuple(h for h in self.signatures if {"logs", "errors"} & signals),
            devices=self.devices if "errors" in signals else {},
            templates=self.templates if "logs" in signals else None,
        )


def read_telemetry(store: Store, window: Window) -> Telemetry:
    """Read every input of a diagnosis of `window` from `store`."""
    started = time.perf_counter()
    step_ns = step_for(window)
    aliases = dependency_services(store, window)
    series = [
        *span_series(store, window, step_ns),
        *_named_by_callee(dependency_series(store, window, step_ns), aliases),
        *log_series(store, window, step_ns),
        *error_event_series(store, window, step_ns),
    ]
    metrics, skipped = metric_signal_series(store, window, step_ns)
    series.extend(metrics)
    return Telemetry(
        window=window,
        step_ns=step_ns,
        series=tuple(series),
        changes=tuple(change_events(store, window)),
        signatures=tuple(find_signatures(store, window)),
        devices=_device_counts(store, window, step_ns),
        resources=_resources(store, window),
        templates=template_counts(store, window, step_s=step_ns / 1e9),
        skipped_metrics=skipped,
        read_s=time.perf_counter() - started,
    )


def prefer_spans(series: tuple[Series, ...]) -> tuple[Series, ...]:
    """Drop duration histograms of services whose spans give the same figures exactly.

    Where spans exist, a duration histogram repeats them with bucket-rounded quantiles, and
    its observation rate repeats the request rate: counted twice, they would outvote the rest.
    """
    traced = {s.key.service for s in series if s.key.name == "latency_p95"}
    return tuple(
        s
        for s in series
        if not (
            s.key.service in traced
            and signal_of(s.key) == "metrics"
            and (
                s.kind == SeriesKind.LATENCY
                or s.key.name.endswith(":rate")
                or s.key.name.endswith(":error_rate")
            )
        )
    )


def _named_by_callee(series: list[Series], aliases: dict[tuple[str, str], str]) -> list[Series]:
    """Client-call series relabelled with the callee's service name where traces show it."""
    renamed = []
    for item in series:
        callee = aliases.get((item.key.service, item.key.label("dependency")))
        labels = dict(item.key.labels) | {"dependency": callee} if callee else None
        renamed.append(replace(item, key=SeriesKey.of(item.key.name, labels)) if labels else item)
    return _merge_duplicates(renamed)


def _merge_duplicates(series: list[Series]) -> list[Series]:
    """Keep one series per key: two addresses of one callee keep the busier one's series."""
    kept: dict[SeriesKey, Series] = {}
    for item in series:
        other = kept.get(item.key)
        if other is None or _volume(item) > _volume(other):
            kept[item.key] = item
    return list(kept.values())


def _volume(series: Series) -> float:
    return float(sum(v for v in series.values if math.isfinite(v)))


def _device_counts(
    store: Store, window: Window, step_ns: int
) -> dict[str, tuple[DeviceCount, ...]]:
    rows = store.select(
        f"""
        SELECT ServiceName AS service, DeviceModel AS device,
               trim(concat(OsName, ' ', OsVersion)) AS os,
               intDiv(toUnixTimestamp64Nano(Timestamp) - {window.start_ns}, {step_ns}) AS bucket,
               count() AS events
        FROM {store.table(ERROR_EVENTS.name)} WHERE {window.sql()} AND DeviceModel != ''
        GROUP BY service, device, os, bucket
        """
    )
    found: dict[str, list[DeviceCount]] = defaultdict(list)
    for row in rows:
        found[str(row["service"])].append(
            DeviceCount(
                device=str(row["device"]),
                os=str(row["os"]),
                bucket=int(row["bucket"]),
                count=int(row["events"]),
            )
        )
    return {service: tuple(counts) for service, counts in found.items()}


def _resources(store: Store, window: Window) -> dict[str, dict[str, str]]:
    """Each service's latest resource attributes that a person would use to find it."""
    keys = ", ".join(
        f"argMax(ResourceAttributes['{k}'], Timestamp) AS `{k}`" for k in RESOURCE_KEYS
    )
    rows = store.select(
        f"SELECT ServiceName AS service, {keys} FROM {store.table(TRACES.name)}"
        f" WHERE {window.sql()} GROUP BY service"
    )
    return {
        str(row["service"]): {k: str(row[k]) for k in RESOURCE_KEYS if row.get(k)} for row in rows
    }
