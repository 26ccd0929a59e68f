"""A finding: one thing an analysis noticed in the data, with the evidence to check it.

Findings are what analysis hands to correlation, root-cause ranking and hypotheses. Every one
names the series it is about, when it began (`onset_ns`), the window it covers, how strong it
is (`score`, 1.0 at the detector's own bar and larger when stronger), which way it went, and
the numbers behind it (`evidence`), so a person can redo the check.

Evidence names used by the anomaly detectors (later analyses add their own):

- `baseline`, `observed`, `change`: the typical level before, the level in the finding's
  window, and their difference, in the series' unit; `noise` is the robust noise level
  (1.4826 x MAD) and `robust_z` the change in units of it.
- `threshold`, `limit`: the static threshold crossed; the capacity a trend runs into.
- `slope_per_s`, `mann_kendall_p`, `time_to_exhaustion_s`: a trend's Theil-Sen slope, its
  significance, and when it reaches `limit` (the window from now to then).
- `period_s`, `phase_s`, `jitter_s`, `burst_s`, `bursts`: a recurring burst's period, its
  offset into each period counted from the Unix epoch, the onsets' spread, a burst's length,
  and how many were seen.
- `from_bucket`, `to_bucket`, `bucket_s`, `utc_offset_s`, `days_observed`, `days_recurring`:
  a time-of-day pattern's hours (end exclusive) and on how many days it showed.
- `segment`, `burst`, `occurrence`, `window`, `baseline_window`, `vote`: windows, in
  `start_ns`/`end_ns`, with the level there (or, for `vote`, the detector that voted).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nightcall.model.series import SeriesKey, SeriesKind


class FindingKind(StrEnum):
    """What kind of thing a finding reports."""

    THRESHOLD = "threshold"  # a static limit was crossed
    DEVIATION = "deviation"  # far from the robust (seasonal) baseline
    CHANGE_POINT = "change_point"  # the level shifted and stayed
    TREND = "trend"  # a steady slope (a leak), possibly towards a limit
    PERIODIC = "periodic"  # bursts that recur with a stable period
    TIME_OF_DAY = "time_of_day"  # some hours of the day differ from the rest
    ANOMALY = "anomaly"  # independent detectors agree: worth a person's attention


class Direction(StrEnum):
    """Which way the series moved."""

    UP = "up"
    DOWN = "down"
    NONE = "none"  # no single direction (a pattern, or both ways)


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """One checkable fact: a number (or an id) with its unit, over a window when it has one."""

    name: str
    value: float | str
    unit: str = ""
    start_ns: int | None = None
    end_ns: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Something a detector noticed about one series, with the evidence behind it.

    `start_ns`/`end_ns` is the half-open window the finding covers (a step's new segment, the
    run of deviating points, the span of a trend or of the recurring bursts); `onset_ns` is
    when it began, the figure that onset-order and root-cause ranking compare across series.
    `detector` names who produced it; for a consensus finding (`kind` ANOMALY), `voters` lists
    the detectors that agreed. `is_recurring` marks patterns that repeat (a periodic burst, a
    daily window seen on earlier days too): useful to explain a symptom, not a page by itself.
    """

    kind: FindingKind
    series: SeriesKey
    detector: str
    onset_ns: int
    start_ns: int
    end_ns: int
    score: float
    direction: Direction
    summary: str
    series_kind: SeriesKind = SeriesKind.GAUGE
    unit: str = ""
    baseline: float | None = None
    observed: float | None = None
    evidence: tuple[Evidence, ...] = ()
    voters: tuple[str, ...] = ()
    is_recurring: bool = False
    query: str = ""

    def evidence_value(self, name: str) -> float | str | None:
        """The value of the first evidence item called `name`, or None when there is none."""
        return next((e.value for e in self.evidence if e.name == name), None)

    @property
    def service(self) -> str:
        """The service of the series this finding is about ("" for host-wide series)."""
        return self.series.service
