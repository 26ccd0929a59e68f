"""Consensus: a window is an anomaly when independent detectors agree on it (Netdata's idea).

Each detector's finding votes for the points it covers (widened by a little slack, since a
change point and a deviation rarely start on the very same step). Points with votes from
`consensus_min_votes` distinct detectors form ANOMALY findings that name their voters. Recurring
patterns vote for nothing: they explain. A window that begins in, or lies mostly inside, a
recognized periodic burst or a daily pattern seen on earlier days is not an anomaly, however
many detectors fire on it: that is the job that runs every 5 minutes, or the usual evening
peak (and the step back to normal after it).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from numpy.typing import NDArray

from nightcall.analysis.anomalies.config import AnomalyConfig
from nightcall.analysis.anomalies.findings import build_finding
from nightcall.analysis.anomalies.series_ops import Grid, regularize, runs
from nightcall.model import Direction, Evidence, Finding, FindingKind, Series
from nightcall.model.timespec import format_time_ns
from nightcall.store.queries_traces import Window

DETECTOR = "consensus"
EXPLAINED_SHARE = 0.5  # a window this much inside a recurring pattern is explained
ONSET_PREFERENCE = ("changepoint", "trend", "robust", "threshold")  # when it began, first


def find_consensus(
    series: Series, window: Window, findings: list[Finding], config: AnomalyConfig
) -> list[Finding]:
    """ANOMALY findings where detectors agree, unless a recurring pattern explains them."""
    grid = regularize(series)
    first, last = grid.window_span(window) if grid is not None else (0, 0)
    if grid is None or last <= first:
        return []
    own = [f for f in findings if f.series == series.key and f.kind != FindingKind.ANOMALY]
    voting = [f for f in own if not f.is_recurring]
    slack = config.consensus_tolerance_points
    votes: dict[str, NDArray[np.bool_]] = {}
    for finding in voting:
        start, end = _vote_span(grid, finding)
        mask = votes.setdefault(finding.detector, np.zeros(len(grid), dtype=bool))
        mask[max(0, start - slack) : min(len(grid), end + slack)] = True
    if len(votes) < config.consensus_min_votes:
        return []
    agree = np.sum(list(votes.values()), axis=0) >= config.consensus_min_votes
    agree[:first] = False
    agree[last:] = False
    explained = _explained(grid, [f for f in own if f.is_recurring], slack)
    results = []
    for start, end in runs(agree):
        contributors = [
            f for f in voting if _overlaps(_vote_span(grid, f), (start - slack, end + slack))
        ]
        finding = _finding(series, grid, (start, end), contributors, (first, last))
        onset = min(grid.index_of(finding.onset_ns), len(grid) - 1)
        if explained[onset] or explained[start:end].mean() >= EXPLAINED_SHARE:
            continue  # it began inside a known pattern, or mostly lies in one
        results.append(finding)
    return results


def _span(grid: Grid, finding: Finding) -> tuple[int, int]:
    start = grid.index_of(finding.start_ns)
    return start, max(start + 1, grid.index_of(finding.end_ns))


def _vote_span(grid: Grid, finding: Finding) -> tuple[int, int]:
    """What a finding votes for: a change point for its onset (it is an event, and its new
    segment may last for hours of ordinary noise), any other finding for its whole window."""
    if finding.kind == FindingKind.CHANGE_POINT:
        onset = grid.index_of(finding.onset_ns)
        return onset, onset + 1
    return _span(grid, finding)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _explained(grid: Grid, recurring: list[Finding], slack: int) -> NDArray[np.bool_]:
    """Points a recurring pattern accounts for, widened by `slack` steps on each side.

    For a periodic burst: points closer to the burst level than to the baseline while the
    pattern holds, and points where its period and phase predict a burst. For a time-of-day
    pattern: its hours. Widening covers the step back to normal at a pattern's end.
    """
    seconds = grid.times_ns / 1e9
    explained = np.zeros(len(grid), dtype=bool)
    for finding in recurring:
        period, phase = _number(finding, "period_s"), _number(finding, "phase_s")
        if period is not None and phase is not None and period > 0:
            length = _number(finding, "burst_s") or 0.0
            explained |= np.mod(seconds - phase, period) < length
        if finding.baseline is not None and finding.observed is not None and period:
            during = (grid.times_ns >= finding.start_ns) & (
                grid.times_ns < finding.end_ns + int(period * 1e9)
            )
            values = np.nan_to_num(grid.values, nan=finding.baseline)
            explained |= during & (
                np.abs(values - finding.observed) < np.abs(values - finding.baseline)
            )
        low, high = _number(finding, "from_bucket"), _number(finding, "to_bucket")
        size, utc = _number(finding, "bucket_s"), _number(finding, "utc_offset_s")
        if low is not None and high is not None and size and utc is not None:
            buckets = 24 if size == 3600 else 7
            shift = 0 if buckets == 24 else 3 * 86_400  # weeks counted from Monday
            local = np.mod(seconds + utc + shift, size * buckets) // size
            span = int(high - low) % buckets or buckets
            explained |= np.mod(local - low, buckets) < span
    if slack > 0 and explained.any():
        widened = np.convolve(explained.astype(np.int64), np.ones(2 * slack + 1), mode="same")
        explained = widened > 0
    return explained


def _number(finding: Finding, name: str) -> float | None:
    value = finding.evidence_value(name)
    return float(value) if isinstance(value, float | int) else None


def _finding(
    series: Series,
    grid: Grid,
    span: tuple[int, int],
    contributors: list[Finding],
    bounds: tuple[int, int],
) -> Finding:
    voters = sorted({f.detector for f in contributors})
    best_score: dict[str, float] = {}
    for f in contributors:
        best_score[f.detector] = max(best_score.get(f.detector, 0.0), f.score)
    ranked = sorted(
        contributors,
        key=lambda f: (
            ONSET_PREFERENCE.index(f.detector) if f.detector in ONSET_PREFERENCE else 99,
            f.onset_ns,
        ),
    )
    # The anomaly runs from the best voter's onset (a leak's start, a step's change point) to
    # the end of its voters' windows (a step's whole new segment), within the window asked about.
    agreed_start, agreed_end = span
    onset = min(max(grid.index_of(ranked[0].onset_ns), bounds[0]), agreed_end - 1)
    onset_ns = grid.time_at(onset)
    start = min(onset, agreed_start)
    end = min(bounds[1], max(agreed_end, *(_span(grid, f)[1] for f in contributors)))
    strongest = max(
        (f for f in contributors if f.baseline is not None), key=lambda f: f.score, default=None
    )
    directions = Counter(f.direction for f in contributors if f.direction != Direction.NONE)
    direction = directions.most_common(1)[0][0] if directions else Direction.NONE
    evidence = [
        Evidence(
            name="vote",
            value=f.detector,
            start_ns=f.start_ns,
            end_ns=f.end_ns,
        )
        for f in contributors
    ]
    if strongest is not None:
        evidence += [e for e in strongest.evidence if e.name in {"baseline", "observed", "change"}]
    lead = strongest.summary if strongest is not None else ranked[0].summary
    summary = (
        f"{series.key}: {len(voters)} detectors agree ({', '.join(voters)}) from"
        f" {format_time_ns(onset_ns)}: {lead}"
    )
    return build_finding(
        series,
        grid,
        kind=FindingKind.ANOMALY,
        detector=DETECTOR,
        span=(start, end),
        onset_index=grid.index_of(onset_ns),
        score=float(np.mean(list(best_score.values()))),
        summary=summary,
        baseline=strongest.baseline if strongest is not None else None,
        observed=strongest.observed if strongest is not None else None,
        evidence=evidence,
        direction=direction,
        voters=tuple(voters),
    )
