"""Tests for grouping and parsing accuracy, and a quick evaluation on Loghub HDFS."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from nightcall.analysis.logs import (
    TemplateMiner,
    grouping_accuracy,
    normalize_template,
    parsing_accuracy,
)

HDFS = (
    Path(__file__).resolve().parents[4]
    / "shared" / "data" / "loghub-2k" / "HDFS" / "HDFS_2k.log_structured_corrected.csv"
)  # fmt: skip


def test_grouping_accuracy_counts_lines_of_exactly_matched_groups() -> None:
    """A line scores only when its predicted group is exactly its true group."""
    truth = ["a", "a", "b", "b", "c"]
    assert grouping_accuracy([1, 1, 2, 2, 3], truth) == 1.0
    assert grouping_accuracy([1, 1, 2, 2, 2], truth) == pytest.approx(0.4)
    assert grouping_accuracy([1, 2, 3, 3, 4], truth) == pytest.approx(0.6)


def test_parsing_accuracy_normalizes_whitespace_on_both_sides() -> None:
    """Templates equal up to runs of whitespace count as equal."""
    assert normalize_template("  a  <*>\tb ") == "a <*> b"
    assert parsing_accuracy(["a <*> b", "c"], ["a  <*> b", "c <*>"]) == 0.5


def test_metrics_reject_lists_of_different_lengths() -> None:
    """Label lists of different lengths are refused."""
    with pytest.raises(ValueError, match="2 predicted labels for 1 true"):
        grouping_accuracy([1, 2], ["a"])


@pytest.mark.skipif(not HDFS.exists(), reason="the shared Loghub-2k data is not beside the repo")
def test_hdfs_slice_grouping_accuracy() -> None:
    """On the first 200 HDFS lines the default miner groups at least 90% of lines right."""
    with HDFS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:200]
    miner = TemplateMiner()
    predicted = [miner.resolve(miner.add(row["Content"])[0]) for row in rows]
    assert grouping_accuracy(predicted, [row["EventId"] for row in rows]) >= 0.9
