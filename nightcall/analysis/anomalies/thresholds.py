"""Static thresholds matched by series kind: the seeds' response-time, error, CPU and memory limits.

A threshold is a person's statement of what is too much, so it needs no history: it works on
the first point. Runs of consecutive points over the threshold (allowing a short dip) become
one finding each.
"""

from __future__ import annotations

import numpy as np

from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.analysis.anomalies.findings import build_finding
from nightcall.analysis.anomalies.series_ops import (
    canonical_factor,
    format_value,
    median,
    merge_runs,
    regularize,
    runs,
)
from nightcall.model import Direction, Evidence, Finding, FindingKind, Series, SeriesKind
from nightcall.store.queries_traces import Window

DETECTOR = "threshold"


def threshold_for(series: Series, config: AnomalyConfig) -> tuple[float, str] | None:
    """The configured threshold for this series' kind, in ms or %, with its unit."""
    match series.kind:
        case SeriesKind.LATENCY:
            return config.latency_threshold_ms, "ms"
        case SeriesKind.ERROR_RATE:
            return config.error_rate_threshold_pct, "%"
        case SeriesKind.UTILIZATION:
            return config.utilization_threshold_pct, "%"
        case SeriesKind.MEMORY:
            return config.memory_threshold_pct, "%"
        case _:
            return None


def detect_thresholds(series: Series, window: Window, config: AnomalyConfig) -> list[Finding]:
    """Findings for each run of points in `window` above the threshold of the series' kind."""
    configured = threshold_for(series, config)
    grid = regularize(series)
    if configured is None or grid is None:
        return []
    values = grid.values
    if np.isfinite(values).sum() < 1:
        return []
    factor = canonical_factor(series, values)
    if factor is None or factor <= 0:
        return []
    threshold, canonical_unit = configured
    limit = threshold / factor
    first, last = grid.window_span(window)
    over = np.zeros(len(values), dtype=bool)
    finite = np.isfinite(values)
    over[finite] = values[finite] > limit
    over[:first] = False
    over[last:] = False
    findings = []
    for start, end in merge_runs(runs(over), gap=config.consensus_tolerance_points):
        if int(over[start:end].sum()) < config.threshold_sustain_points:
            continue
        inside = values[start:end]
        observed = median(inside[over[start:end]])
        peak = float(np.max(inside[np.isfinite(inside)]))
        before = values[max(0, start - config.baseline_points) : start]
        baseline = median(before[np.isfinite(before) & (before <= limit)])
        summary = (
            f"{series.key} above the {threshold:g} {canonical_unit} threshold for"
            f" {end - start} points: median {format_value(observed, series.unit)},"
            f" peak {format_value(peak, series.unit)}"
        )
        findings.append(
            build_finding(
                series,
                grid,
                kind=FindingKind.THRESHOLD,
                detector=DETECTOR,
                span=(start, end),
                score=peak / limit if limit > 0 else 1.0,
                summary=summary,
                baseline=baseline if np.isfinite(baseline) else None,
                observed=observed,
                direction=Direction.UP,
                evidence=[
                    Evidence(name="threshold", value=round(limit, 9), unit=series.unit),
                    Evidence(name="threshold_canonical", value=threshold, unit=canonical_unit),
                    Evidence(
                        name="observed",
                        value=round(observed, 6),
                        unit=series.unit,
                        start_ns=grid.time_at(start),
                        end_ns=grid.time_at(end),
                    ),
                    Evidence(name="peak", value=round(peak, 6), unit=series.unit),
                ],
            )
        )
    return findings
