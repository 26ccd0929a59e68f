"""A count table from individual records: attributes per item and whether it failed.

Which attributes become dimensions: identifiers never do (trace and user ids, URLs with ids,
anything named `*.id`), nor outcomes of the failure itself (`error.type`, status codes), nor
keys whose values are mostly unique. The rest keep their most frequent values; the tail is
folded into `(other)` and a missing attribute reads `(none)`, so every dimension stays small
enough to search and a rare value cannot look significant by chance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nightcall.analysis.dimensions.facts import CountRow, CountTable, prune_dimensions
from nightcall.store.queries_dimensions import (
    MISSING,
    OTHER,
    DimensionCounts,
    is_identifier,
    is_outcome,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class FactOptions:
    """How records become dimensions.

    A key is dropped as identifier-like when it has more than `max_values` distinct values and
    more than `unique_ratio` of the records holding it have a value of their own.
    """

    max_values: int = 20
    max_dimensions: int = 12
    unique_ratio: float = 0.5
    min_presence: float = 0.01


def choose_dimensions(
    records: Sequence[Mapping[str, str]], options: FactOptions = FactOptions()
) -> dict[str, frozenset[str]]:
    """The dimensions worth searching and, per dimension, the values kept (the rest: other).

    Dimensions come most-present first, then by name, so the order is repeatable.
    """
    presence: Counter[str] = Counter()
    values: dict[str, Counter[str]] = {}
    for record in records:
        for key, value in record.items():
            if is_identifier(key) or is_outcome(key):
                continue
            presence[key] += 1
            values.setdefault(key, Counter())[value] += 1
    chosen: dict[str, frozenset[str]] = {}
    for key, present in sorted(presence.items(), key=lambda kv: (-kv[1], kv[0])):
        if present < options.min_presence * len(records):
            continue
        counts = values[key]
        if len(counts) > options.max_values and len(counts) > options.unique_ratio * present:
            continue
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[: options.max_values]
        chosen[key] = frozenset(v for v, _ in top)
        if len(chosen) == options.max_dimensions:
            break
    return chosen


def count_table_from_records(
    records: Iterable[tuple[Mapping[str, str], bool]],
    *,
    options: FactOptions = FactOptions(),
    failed_noun: str = "failures",
    population_noun: str = "items",
) -> CountTable:
    """The count table of `(attributes, failed)` records, with dimensions chosen and capped.

    Constant dimensions and dimensions that repeat another's split are dropped
    (`prune_dimensions`), so the table is ready to attribute.
    """
    items = list(records)
    attributes = [{k: str(v) for k, v in attrs.items()} for attrs, _ in items]
    kept = choose_dimensions(attributes, options)
    dimensions = tuple(kept)
    counts: dict[tuple[str, ...], list[float]] = {}
    for attrs, (_, failed) in zip(attributes, items, strict=True):
        key = tuple(_capped(attrs.get(d), kept[d]) for d in dimensions)
        slot = counts.setdefault(key, [0.0, 0.0])
        slot[0] += 1.0 if failed else 0.0
        slot[1] += 1.0
    table = CountTable(
        dimensions=dimensions,
        rows=tuple(CountRow(values=k, failed=f, total=t) for k, (f, t) in counts.items()),
        failed_noun=failed_noun,
        population_noun=population_noun,
    )
    return prune_dimensions(table)


def _capped(value: str | None, kept: frozenset[str]) -> str:
    if value is None or value == "":
        return MISSING
    return value if value in kept else OTHER


def count_table_from_counts(counts: DimensionCounts) -> CountTable:
    """The count table of counts the store made (`nightcall.store.queries_dimensions`)."""
    return CountTable(
        dimensions=counts.dimensions,
        rows=tuple(CountRow(values=v, failed=f, total=t) for v, f, t in counts.rows),
        comparison=counts.comparison,
        failed_noun=counts.failed_noun,
        population_noun=counts.population_noun,
    )
