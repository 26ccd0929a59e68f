"""Every threshold and parameter of the anomaly detectors, in one frozen record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ChangePointMethod = Literal["pelt", "bocpd"]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnomalyConfig:
    """Parameters of the anomaly detectors; the defaults are the ones measured in `bench/`.

    Thresholds in ms and % apply after converting a series to those units (seconds to ms,
    ratios to %); kinds without such units (counter rates, gauges) use the relative tests only.
    """

    min_points: int = 12
    """A series with fewer points (after dropping gaps) yields no findings."""

    latency_threshold_ms: float = 1000.0
    """Static threshold for latency series (the seeds' response-time default)."""
    error_rate_threshold_pct: float = 5.0
    """Static threshold for error-rate series."""
    utilization_threshold_pct: float = 80.0
    """Static threshold for utilization series (the seeds' CPU default)."""
    memory_threshold_pct: float = 85.0
    """Static threshold for memory, as a share of its limit."""
    threshold_sustain_points: int = 1
    """Consecutive points over a threshold before it counts (1: the seeds' behaviour)."""

    robust_z: float = 6.0
    """Deviation score, in robust standard deviations (1.4826 x MAD), that flags a point."""
    baseline_points: int = 60
    """Points in the rolling baseline before each point (an hour at one-minute steps)."""
    seasonal_cycles: int = 4
    """Earlier days (or weeks) whose same hour forms the seasonal baseline, where present."""
    min_effect_ratio: float = 0.1
    """A change must also be at least this share of the baseline level..."""
    min_effect_latency_ms: float = 5.0
    """...and at least this many ms for latency series..."""
    min_effect_pct: float = 1.0
    """...or this many percentage points for error rates, utilization and memory."""

    changepoint_method: ChangePointMethod = "pelt"
    """PELT (exact, via ruptures) or Bayesian online change-point detection."""
    changepoint_penalty: float = 4.0
    """PELT's penalty, in units of noise² x ln(n): higher finds fewer change points."""
    changepoint_min_size: int = 5
    """Fewest points in a segment: a one-point spike is not a change of level."""
    changepoint_min_shift: float = 5.0
    """A level shift must be this many robust standard deviations of the noise."""

    trend_p_value: float = 1e-4
    """Mann-Kendall significance needed, on the whole span and on each half."""
    trend_min_change: float = 4.0
    """The fitted change over the span must exceed this many noise standard deviations."""

    periodic_min_bursts: int = 3
    """Fewest bursts before a period is claimed."""
    periodic_burst_z: float = 5.0
    """How far above the robust baseline a point must be to belong to a burst."""
    periodic_max_jitter: float = 0.25
    """Largest spread of burst spacing (MAD / period) still called periodic."""

    time_of_day_z: float = 4.0
    """How many within-hour noise deviations separate an hour range from the rest."""
    utc_offset_s: int = 0
    """Offset of the local day from UTC used for hour-of-day patterns."""

    consensus_min_votes: int = 2
    """Distinct detectors that must agree on a window for an ANOMALY finding."""
    consensus_tolerance_points: int = 2
    """Slack, in steps, when matching one detector's window with another's."""
