"""Log-parsing accuracy as the literature defines it: grouping (GA) and parsing (PA).

GA is the share of lines whose predicted group holds exactly the lines of their true group
(Zhu et al., ICSE-SEIP'19). PA is the share of lines whose predicted template equals the true
one; both sides are compared after `normalize_template` (runs of whitespace become one space,
ends stripped), since the miner splits lines on whitespace.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence


def grouping_accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Return the share of lines whose predicted group equals their true group as a set.

    Raises:
        ValueError: when the two label lists differ in length.
    """
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predicted labels for {len(truth)} true labels")
    if not truth:
        return 1.0
    predicted_sizes = Counter(predicted)
    by_truth: dict[Hashable, list[Hashable]] = defaultdict(list)
    for p, t in zip(predicted, truth, strict=True):
        by_truth[t].append(p)
    correct = 0
    for members in by_truth.values():
        first = members[0]
        if all(p == first for p in members) and predicted_sizes[first] == len(members):
            correct += len(members)
    return correct / len(truth)


def normalize_template(template: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return " ".join(template.split())


def parsing_accuracy(predicted: Sequence[str], truth: Sequence[str]) -> float:
    """Return the share of lines whose normalized predicted template equals the true one.

    Raises:
        ValueError: when the two template lists differ in length.
    """
    if len(predicted) != len(truth):
        raise ValueError(f"{len(predicted)} predicted templates for {len(truth)} true ones")
    if not truth:
        return 1.0
    same = sum(
        normalize_template(p) == normalize_template(t)
        for p, t in zip(predicted, truth, strict=True)
    )
    return same / len(truth)
