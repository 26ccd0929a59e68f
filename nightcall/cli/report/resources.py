"""Which metrics the report summarizes per service, picked by OpenTelemetry naming words only.

The words are the ones `nightcall.store.queries_signals.metric_kind` reads: a gauge or sum with
`cpu` in its name is CPU (a utilization, or a CPU time counter read as a rate: cores busy), with
`memory` it is memory, with `pool` or `connection` it is a pool (`db.client.connections.usage`);
counters are read as rates. No application's metric names are known here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nightcall.cli.report.model import SignalGroup, SignalSummary, StepSeries
from nightcall.store.queries_signals import SPLIT_KEYS

# The first group whose word is in a metric's name wins.
GROUP_WORDS: tuple[tuple[SignalGroup, tuple[str, ...]], ...] = (
    ("cpu", ("cpu",)),
    ("memory", ("memory",)),
    ("pool", ("pool", "connection")),
)
MAX_SPLIT_KEYS = 2  # e.g. a connection pool's `state` and `pool.name`
MAX_RESOURCE_METRICS = 24  # a bound on API calls per report; the rest are named in the notes


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceMetric:
    """One metric to ask for: how to aggregate it, and by which labels."""

    name: str
    group: SignalGroup
    agg: str
    unit: str
    group_by: tuple[str, ...]


def _group(name: str) -> SignalGroup | None:
    lowered = name.lower()
    return next((g for g, words in GROUP_WORDS if any(w in lowered for w in words)), None)


def pick_resource_metrics(catalogue: list[dict[str, Any]]) -> list[ResourceMetric]:
    """The CPU, memory and pool metrics of `catalogue` (GET /api/v1/metrics) that services
    report, in that order; histograms are left out (the RED summary covers durations)."""
    picked = []
    for metric in catalogue:
        name, unit, kind = str(metric["name"]), str(metric["unit"]), str(metric["type"])
        group = _group(name)
        if group is None or kind not in ("gauge", "sum") or not any(metric["services"]):
            continue
        is_counter = kind == "sum" and bool(metric["monotonic"])
        split = tuple(k for k in SPLIT_KEYS if k in metric["attribute_keys"])[:MAX_SPLIT_KEYS]
        picked.append(
            ResourceMetric(
                name=name,
                group=group,
                agg="rate" if is_counter else "avg",
                unit=(f"{unit}/s" if unit else "1/s") if is_counter else unit,
                group_by=("service", *split),
            )
        )
    order: dict[SignalGroup, int] = {"cpu": 0, "memory": 1, "pool": 2, "red": 3}
    return sorted(picked, key=lambda m: (order[m.group], m.name))


def summarize_metric(
    metric: ResourceMetric, answer: dict[str, Any], *, start_ns: int, step_ns: int, steps: int
) -> list[SignalSummary]:
    """One summary per label set of a metric's series answer (GET /api/v1/metrics/NAME/series):
    the mean, lowest and highest of its step values."""
    found = []
    for item in answer.get("series", []):
        labels = dict(zip(metric.group_by, (str(v) for v in item["labels"]), strict=False))
        values: list[float | None] = [None] * steps
        for point in item["points"]:
            index = (int(point["time_unix_nano"]) - start_ns) // step_ns
            if 0 <= index < steps and point["value"] is not None:
                values[index] = float(point["value"])
        series = StepSeries(start_ns=start_ns, step_ns=step_ns, values=tuple(values))
        present = series.present()
        extra = ",".join(f"{k}={v}" for k, v in labels.items() if k != "service")
        found.append(
            SignalSummary(
                service=labels.get("service", ""),
                signal=f"{metric.name}{{{extra}}}" if extra else metric.name,
                group=metric.group,
                unit=metric.unit,
                avg=sum(present) / len(present) if present else None,
                low=min(present) if present else None,
                high=max(present) if present else None,
                series=series,
            )
        )
    return found
