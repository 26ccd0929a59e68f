"""Correlation between anomalous series, who moved first, and the changes that line up."""

from nightcall.analysis.correlation.changes import AlignedChange, align_changes
from nightcall.analysis.correlation.correlate import (
    Correlation,
    correlate,
    lagged_correlation,
    pearson,
)

__all__ = [
    "AlignedChange",
    "Correlation",
    "align_changes",
    "correlate",
    "lagged_correlation",
    "pearson",
]
