"""StatsD samples → metric points, once per flush interval, in bounded memory.

Per series (name, type, tags) and interval: counters add up `value / sample_rate` and become a
delta, monotonic sum; gauges keep their last value (a `+N`/`-N` changes the value kept from
earlier intervals); timers, histograms and distributions become an explicit-bucket histogram with
exact count, sum, min and max; sets count their distinct members into a gauge. At most
`max_series` series are open per interval: samples of further series are refused, and counted.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from nightcall.ingest.metric_points import (
    Gauge,
    Histogram,
    MetricPoint,
    MetricResource,
    Sum,
    Temporality,
)
from nightcall.ingest.statsd.decode import Sample, StatsdType, Tags

# OpenTelemetry's default explicit bounds, which suit timers in milliseconds.
DEFAULT_BOUNDS = (0.0, 5.0, 10.0, 25.0, 50.0, 75.0, 100.0, 250.0, 500.0, 750.0, 1000.0,
                  2500.0, 5000.0, 7500.0, 10000.0)  # fmt: skip
MAX_SET_MEMBERS = 100_000  # a set with more distinct members still reports this many
_FAMILY = {
    StatsdType.COUNTER: StatsdType.COUNTER,
    StatsdType.GAUGE: StatsdType.GAUGE,
    StatsdType.TIMER: StatsdType.TIMER,
    StatsdType.HISTOGRAM: StatsdType.HISTOGRAM,
    StatsdType.DISTRIBUTION: StatsdType.HISTOGRAM,  # both are histograms here
    StatsdType.SET: StatsdType.SET,
}
SeriesKey = tuple[str, StatsdType, Tags]


@dataclass(slots=True)
class _Distribution:
    bucket_counts: list[float]
    count: float = 0.0
    total: float = 0.0
    min: float = float("inf")
    max: float = float("-inf")


@dataclass(slots=True)
class _Interval:
    counters: dict[SeriesKey, float] = field(default_factory=dict)
    gauges: dict[SeriesKey, float] = field(default_factory=dict)
    distributions: dict[SeriesKey, _Distribution] = field(default_factory=dict)
    sets: dict[SeriesKey, set[str]] = field(default_factory=dict)

    def size(self) -> int:
        return len(self.counters) + len(self.gauges) + len(self.distributions) + len(self.sets)


class StatsdAggregator:
    """Folds samples into the current interval; `flush` turns it into points and starts anew.

    Not thread-safe: one owner (the UDP listener's event loop) adds and flushes.
    """

    def __init__(
        self,
        *,
        default_service: str,
        max_series: int,
        bounds: Sequence[float] = DEFAULT_BOUNDS,
        resource_attributes: dict[str, str] | None = None,
    ):
        self.default_service = default_service
        self.max_series = max_series
        self.bounds = tuple(bounds)
        self.resource_attributes = resource_attributes or {}
        self._interval = _Interval()
        self._last_gauges: dict[SeriesKey, float] = {}  # what `+N`/`-N` start from
        self._resources: dict[str, MetricResource] = {}

    def add(self, sample: Sample) -> bool:
        """Fold one sample in; False when it opens a series beyond `max_series` (refused)."""
        family = _FAMILY[sample.type]
        key = (sample.name, family, sample.tags)
        if family is StatsdType.COUNTER:
            return self._add_counter(key, sample)
        if family is StatsdType.GAUGE:
            return self._add_gauge(key, sample)
        if family is StatsdType.SET:
            return self._add_member(key, sample)
        return self._add_observation(key, sample)

    def series(self) -> int:
        """Series open in the current interval."""
        return self._interval.size()

    def _is_full(self) -> bool:
        return self._interval.size() >= self.max_series

    def _add_counter(self, key: SeriesKey, sample: Sample) -> bool:
        counters = self._interval.counters
        if key not in counters:
            if self._is_full():
                return False
            counters[key] = 0.0
        counters[key] += sample.value / sample.sample_rate
        return True

    def _add_gauge(self, key: SeriesKey, sample: Sample) -> bool:
        gauges = self._interval.gauges
        if key not in gauges and self._is_full():
            return False
        value = sample.value
        if sample.is_delta:
            value += gauges.get(key, self._last_gauges.get(key, 0.0))
        gauges[key] = value
        return True

    def _add_member(self, key: SeriesKey, sample: Sample) -> bool:
        members = self._interval.sets.get(key)
        if members is None:
            if self._is_full():
                return False
            members = self._interval.sets[key] = set()
        if len(members) < MAX_SET_MEMBERS:
            members.add(sample.member)
        return True

    def _add_observation(self, key: SeriesKey, sample: Sample) -> bool:
        dist = self._interval.distributions.get(key)
        if dist is None:
            if self._is_full():
                return False
            dist = _Distribution([0.0] * (len(self.bounds) + 1))
            self._interval.distributions[key] = dist
        weight = 1.0 / sample.sample_rate
        value = sample.value
        dist.count += weight
        dist.total += value * weight
        dist.min = min(dist.min, value)
        dist.max = max(dist.max, value)
        dist.bucket_counts[bisect.bisect_left(self.bounds, value)] += weight
        return True

    def flush(self, *, start_ns: int, now_ns: int) -> list[MetricPoint]:
        """The interval [start_ns, now_ns] as points; the next interval starts empty."""
        interval, self._interval = self._interval, _Interval()
        points: list[MetricPoint] = []
        for (name, _, tags), value in interval.counters.items():
            resource, attributes = self._split(tags)
            points.append(
                Sum(
                    resource=resource,
                    name=name,
                    attributes=attributes,
                    start_ns=start_ns,
                    time_ns=now_ns,
                    value=value,
                    temporality=Temporality.DELTA,
                    is_monotonic=True,
                )
            )
        for key, value in interval.gauges.items():
            resource, attributes = self._split(key[2])
            gauge = Gauge(
                resource=resource, name=key[0], attributes=attributes, time_ns=now_ns, value=value
            )
            points.append(gauge)
            self._last_gauges[key] = value
        if len(self._last_gauges) > self.max_series:  # keep the delta bases bounded too
            self._last_gauges = dict(interval.gauges)
        for (name, _, tags), members in interval.sets.items():
            resource, attributes = self._split(tags)
            gauge = Gauge(
                resource=resource,
                name=name,
                attributes=attributes,
                time_ns=now_ns,
                value=float(len(members)),
            )
            points.append(gauge)
        for (name, family, tags), dist in interval.distributions.items():
            resource, attributes = self._split(tags)
            points.append(
                Histogram(
                    resource=resource,
                    name=name,
                    attributes=attributes,
                    start_ns=start_ns,
                    time_ns=now_ns,
                    unit="ms" if family is StatsdType.TIMER else "",
                    count=round(dist.count),
                    total=dist.total,
                    bounds=self.bounds,
                    bucket_counts=tuple(round(c) for c in dist.bucket_counts),
                    min=dist.min,
                    max=dist.max,
                    temporality=Temporality.DELTA,
                )
            )
        return points

    def _split(self, tags: Tags) -> tuple[MetricResource, dict[str, str]]:
        """A `service:` tag names the resource; the other tags become point attributes."""
        service = self.default_service
        attributes = {}
        for key, value in tags:
            if key == "service" and value:
                service = value
            else:
                attributes[key] = value
        resource = self._resources.get(service)
        if resource is None:
            resource = MetricResource(
                service=service, attributes={**self.resource_attributes, "service.name": service}
            )
            if len(self._resources) < self.max_series:
                self._resources[service] = resource
        return resource, attributes
