"""Ranking candidate root causes: the incident's onset, each series' shift, services ranked."""

from nightcall.analysis.rca.onset import count_burst_onset, estimate_onset, estimate_onsets
from nightcall.analysis.rca.ranking import Candidate, Contribution, rank_services
from nightcall.analysis.rca.shifts import SeriesShift, measure_shift

__all__ = [
    "Candidate",
    "Contribution",
    "SeriesShift",
    "count_burst_onset",
    "estimate_onset",
    "estimate_onsets",
    "measure_shift",
    "rank_services",
]
