"""The detector seam: a plain callable, the built-ins registered as a user's would be.

A detector is `(series, window, config) -> findings`, pure: it reads nothing but its
arguments, and the window's end is its "now". To add one, pass a mapping that extends the
built-ins: `detect_anomalies(s, w, detectors=builtin_detectors() | {"mine": my_detector})`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeAlias

from nightcall.analysis.anomalies.changepoints import detect_change_points
from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.analysis.anomalies.consensus import find_consensus
from nightcall.analysis.anomalies.periodic import detect_periodic
from nightcall.analysis.anomalies.robust import detect_deviations
from nightcall.analysis.anomalies.seasonality import detect_time_of_day
from nightcall.analysis.anomalies.thresholds import detect_thresholds
from nightcall.analysis.anomalies.trends import detect_trends
from nightcall.model import Finding, Series
from nightcall.store.queries_traces import Window

Detector: TypeAlias = Callable[[Series, Window, AnomalyConfig], list[Finding]]


def builtin_detectors() -> dict[str, Detector]:
    """The built-in detectors by name: a new dict each call, to extend or trim freely."""
    return {
        "threshold": detect_thresholds,
        "robust": detect_deviations,
        "changepoint": detect_change_points,
        "trend": detect_trends,
        "periodic": detect_periodic,
        "time_of_day": detect_time_of_day,
    }


def detect_anomalies(
    series: Series,
    window: Window,
    *,
    config: AnomalyConfig | None = None,
    detectors: Mapping[str, Detector] | None = None,
) -> list[Finding]:
    """Every detector's findings on `series` in `window`, then the consensus ANOMALY findings.

    Args:
        series: one reduced series; history before `window.start_ns` serves as baseline.
        window: the span to report on; its end is taken as "now".
        config: thresholds and parameters (default: `AnomalyConfig()`).
        detectors: the detectors to run, by name (default: `builtin_detectors()`).

    Returns:
        Findings ordered by onset, the detectors' first and the consensus after them.
    """
    config = config if config is not None else AnomalyConfig()
    chosen = detectors if detectors is not None else builtin_detectors()
    findings = [f for detector in chosen.values() for f in detector(series, window, config)]
    findings.sort(key=lambda f: (f.onset_ns, f.detector))
    return findings + find_consensus(series, window, findings, config)
