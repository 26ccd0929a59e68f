"""Correlation between anomalous series, who moved first, and the changes that line up."""

from nightcall.analysis.correlation.changes import AlignedChange, align_changes
from nightcall.analysis.correlation.correlate import (
    CORRELATED_R,
    Correlation,
    correlate,
    lagged_correlation,
    pearson,
)

__all__ = [  # noqa: RUF022  # plain sorted(), as tests/test_architecture.py checks
    "AlignedChange",
    "CORRELATED_R",
    "Correlation",
    "align_changes",
    "correlate",
    "lagged_correlation",
    "pearson",
]
