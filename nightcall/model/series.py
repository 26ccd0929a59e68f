"""A time series as analysis sees it: one reduced metric of one service, per step."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class SeriesKind(StrEnum):
    """What a series measures, which decides the thresholds and limits that apply to it."""

    LATENCY = "latency"  # a duration (p50/p95/p99/avg); threshold in ms
    ERROR_RATE = "error_rate"  # a share of failed requests; threshold in %
    UTILIZATION = "utilization"  # a busy share of a resource (CPU); limit 100 %
    MEMORY = "memory"  # memory in use: a share of the limit, or bytes with `limit` set
    COUNTER_RATE = "counter_rate"  # events per second (requests, GC runs, restarts)
    GAUGE = "gauge"  # anything else; only the relative detectors apply


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesKey:
    """The identity of a series: its name and its sorted labels (`service`, attributes).

    Hashable, so findings of one series group together across detectors, and correlation and
    root-cause ranking can key on it. `str(key)` reads as `name{k="v",...}`.
    """

    name: str
    labels: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, name: str, labels: Mapping[str, str] | None = None) -> SeriesKey:
        """A key from a name and a label mapping (sorted here, so equal labels give equal keys)."""
        return cls(name=name, labels=tuple(sorted((labels or {}).items())))

    def label(self, key: str, default: str = "") -> str:
        """The value of label `key`, or `default` when the series lacks it."""
        return next((v for k, v in self.labels if k == key), default)

    @property
    def service(self) -> str:
        """The `service` label (OpenTelemetry's `service.name`), or "" for host-wide series."""
        return self.label("service")

    def __str__(self) -> str:
        inner = ",".join(f'{k}="{v}"' for k, v in self.labels)
        return f"{self.name}{{{inner}}}" if inner else self.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Series:
    """Values of one series at Unix-nanosecond times, oldest first, as pulled from the store.

    Values may hold NaN for buckets without data; times need not be evenly spaced (the
    detectors resample onto the median step). `limit` is the capacity in the series' unit
    where one is known (a container's memory limit in bytes, a pool's size) and is what
    time-to-exhaustion projects against; ratios and percentages have an implied limit of 1 or
    100. `query` says how the series was obtained, and is copied into each finding's evidence.
    """

    key: SeriesKey
    times_ns: tuple[int, ...]
    values: tuple[float, ...]
    unit: str = ""
    kind: SeriesKind = SeriesKind.GAUGE
    limit: float | None = None
    query: str = ""

    def __post_init__(self) -> None:
        if len(self.times_ns) != len(self.values):
            raise ValueError(
                f"series {self.key} has {len(self.times_ns)} times but {len(self.values)} values:"
                " pass one value per time"
            )
        if self.limit is not None and not (math.isfinite(self.limit) and self.limit > 0):
            raise ValueError(f"series {self.key} has limit {self.limit!r}: pass a positive number")

    def __len__(self) -> int:
        return len(self.values)
