"""Building `Finding` records from a detector's numbers, the same way for every detector."""

from __future__ import annotations

from nightcall.analysis.anomalies.series_ops import Grid
from nightcall.model import Direction, Evidence, Finding, FindingKind, Series


def direction_of(change: float) -> Direction:
    """UP for a rise, DOWN for a fall, NONE for no change."""
    if change > 0:
        return Direction.UP
    if change < 0:
        return Direction.DOWN
    return Direction.NONE


def build_finding(
    series: Series,
    grid: Grid,
    *,
    kind: FindingKind,
    detector: str,
    span: tuple[int, int],
    score: float,
    summary: str,
    baseline: float | None,
    observed: float | None,
    evidence: list[Evidence],
    onset_index: int | None = None,
    direction: Direction | None = None,
    is_recurring: bool = False,
    voters: tuple[str, ...] = (),
) -> Finding:
    """A finding over grid indices `span` (half-open), its onset at `onset_index` or the start."""
    start, end = span
    change = (observed - baseline) if observed is not None and baseline is not None else 0.0
    return Finding(
        kind=kind,
        series=series.key,
        detector=detector,
        onset_ns=grid.time_at(start if onset_index is None else onset_index),
        start_ns=grid.time_at(start),
        end_ns=grid.time_at(end),
        score=round(float(score), 4),
        direction=direction if direction is not None else direction_of(change),
        summary=summary,
        series_kind=series.kind,
        unit=series.unit,
        baseline=baseline,
        observed=observed,
        evidence=tuple(evidence),
        is_recurring=is_recurring,
        voters=voters,
        query=series.query,
    )


def level_evidence(
    series: Series, baseline: float, observed: float, noise: float, z: float | None = None
) -> list[Evidence]:
    """Baseline, observed, change, noise and the change in noise units (`z` when given)."""
    if z is None:
        z = (observed - baseline) / noise if noise > 0 else 0.0
    unit = series.unit
    items = [
        Evidence(name="baseline", value=round(baseline, 6), unit=unit),
        Evidence(name="observed", value=round(observed, 6), unit=unit),
        Evidence(name="change", value=round(observed - baseline, 6), unit=unit),
    ]
    if noise > 0:
        items.append(Evidence(name="noise", value=round(noise, 6), unit=unit))
        items.append(Evidence(name="robust_z", value=round(z, 2)))
    return items
