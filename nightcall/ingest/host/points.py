"""A small builder that stamps host metric points with one resource and one time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from nightcall.ingest.metric_points import Gauge, MetricPoint, MetricResource, Sum, Temporality


@dataclass(slots=True)
class PointBatch:
    """Points of one collection: gauges now, cumulative counters since `start_ns`."""

    resource: MetricResource
    time_ns: int
    start_ns: int  # the host's boot time: where its cumulative counters started
    points: list[MetricPoint] = field(default_factory=list)

    def gauge(
        self, name: str, value: float, unit: str = "", attributes: Mapping[str, str] | None = None
    ) -> None:
        """Add a sampled value."""
        self.points.append(
            Gauge(
                resource=self.resource,
                name=name,
                time_ns=self.time_ns,
                value=float(value),
                unit=unit,
                attributes=attributes or {},
            )
        )

    def counter(
        self, name: str, value: float, unit: str = "", attributes: Mapping[str, str] | None = None
    ) -> None:
        """Add a cumulative, monotonic total since boot."""
        self.points.append(
            Sum(
                resource=self.resource,
                name=name,
                time_ns=self.time_ns,
                start_ns=self.start_ns,
                value=float(value),
                unit=unit,
                attributes=attributes or {},
                temporality=Temporality.CUMULATIVE,
                is_monotonic=True,
            )
        )
