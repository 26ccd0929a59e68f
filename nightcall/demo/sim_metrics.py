"""The simulated services' metric instruments: what an SDK's meter would have accumulated.

One `InstanceMeters` per running process (a restart or deploy starts a new one, with a new start
time, as a real process would); `collect` turns its state at a moment into the `Metric`s a
periodic reader would export then, with the same names, units, attributes and buckets as live.
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from dataclasses import dataclass, field

from opentelemetry.proto.metrics.v1.metrics_pb2 import Metric

from nightcall.demo import signals as sig
from nightcall.demo.effects import Conditions, cpu_utilization, memory_bytes
from nightcall.demo.otlp_build import AttrValue, cumulative_sum, gauge, histogram
from nightcall.demo.topology import ServiceSpec

HistKey = tuple[tuple[str, AttrValue], ...]


@dataclass(slots=True)
class _Hist:
    counts: list[int] = field(default_factory=lambda: [0] * (len(sig.DURATION_BOUNDS_S) + 1))
    total: float = 0.0

    def observe(self, value_s: float) -> None:
        self.counts[bisect.bisect_left(sig.DURATION_BOUNDS_S, value_s)] += 1
        self.total += value_s


@dataclass(slots=True)
class InstanceMeters:
    """The instruments of one process of one service, from its start."""

    spec: ServiceSpec
    start_ns: int
    interval_s: float
    histograms: dict[str, dict[HistKey, _Hist]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(_Hist))
    )
    requests_in_interval: int = 0
    busy_s_in_interval: float = 0.0
    pool_busy_s: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    pool_timeouts: int = 0
    gc_collections: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])

    def observe(self, name: str, attrs: dict[str, AttrValue], value_s: float) -> None:
        self.histograms[name][tuple(attrs.items())].observe(value_s)

    def observe_request(self, duration_s: float) -> None:
        self.requests_in_interval += 1
        self.busy_s_in_interval += duration_s

    def hold_connection(self, start_s: float, end_s: float) -> None:
        """Count a held DB connection into each export interval it overlaps."""
        index = int(start_s // self.interval_s)
        while start_s < end_s:
            edge = (index + 1) * self.interval_s
            self.pool_busy_s[index] += min(end_s, edge) - start_s
            start_s, index = edge, index + 1

    def collect(
        self, *, t_s: float, time_ns: int, cond: Conditions, rng: random.Random
    ) -> list[Metric]:
        """The metrics an exporter would send at `t_s` (the end of an interval)."""
        spec = self.spec
        metrics = [
            histogram(
                name,
                self.start_ns,
                time_ns,
                sig.DURATION_BOUNDS_S,
                [(dict(key), h.counts, h.total) for key, h in series.items()],
            )
            for name, series in self.histograms.items()
        ]
        rate = self.requests_in_interval / self.interval_s
        cpu = cpu_utilization(spec.name, rate, cond, rng)
        uptime = (time_ns - self.start_ns) / 1e9
        for generation, share in enumerate((1.0, 0.1, 0.01)):
            self.gc_collections[generation] += (
                self.interval_s * (0.4 + 0.05 * rate) * cond.gc_factor * share
            )
        metrics += [
            gauge(sig.PROCESS_CPU, time_ns, [({}, cpu)]),
            cumulative_sum(
                sig.PROCESS_MEMORY,
                self.start_ns,
                time_ns,
                [({}, float(memory_bytes(spec.name, cond, rng)))],
                monotonic=False,
            ),
            cumulative_sum(
                sig.PROCESS_THREADS,
                self.start_ns,
                time_ns,
                [({}, float(8 + round(self.busy_s_in_interval / self.interval_s)))],
                monotonic=False,
            ),
            gauge(sig.PROCESS_UPTIME, time_ns, [({}, uptime)]),
            cumulative_sum(
                sig.GC_COLLECTIONS,
                self.start_ns,
                time_ns,
                [
                    ({"cpython.gc.generation": g}, float(int(v)))
                    for g, v in enumerate(self.gc_collections)
                ],
                monotonic=True,
            ),
            cumulative_sum(
                sig.HTTP_SERVER_ACTIVE,
                self.start_ns,
                time_ns,
                [({}, float(round(self.busy_s_in_interval / self.interval_s)))],
                monotonic=False,
            ),
        ]
        if spec.pool_size:
            index = round(t_s / self.interval_s) - 1
            busy = self.pool_busy_s.pop(index, 0.0) / self.interval_s
            used = float(min(spec.pool_size, round(busy) + cond.leaked_connections))
            pool = {"pool.name": spec.pool_name}
            metrics += [
                cumulative_sum(
                    sig.DB_POOL_USAGE,
                    self.start_ns,
                    time_ns,
                    [
                        ({**pool, "state": "used"}, used),
                        ({**pool, "state": "idle"}, spec.pool_size - used),
                    ],
                    monotonic=False,
                ),
                cumulative_sum(
                    sig.DB_POOL_MAX,
                    self.start_ns,
                    time_ns,
                    [(pool, float(spec.pool_size))],
                    monotonic=False,
                ),
                cumulative_sum(
                    sig.DB_POOL_TIMEOUTS,
                    self.start_ns,
                    time_ns,
                    [(pool, float(self.pool_timeouts))],
                    monotonic=True,
                ),
            ]
        self.requests_in_interval = 0
        self.busy_s_in_interval = 0.0
        return metrics
