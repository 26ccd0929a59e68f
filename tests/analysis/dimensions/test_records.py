"""Count tables from records: which attributes become dimensions, and how values are capped."""

from __future__ import annotations

from nightcall.analysis.dimensions import (
    FactOptions,
    attribute_failures,
    choose_dimensions,
    count_table_from_counts,
    count_table_from_records,
)
from nightcall.store.queries_dimensions import DimensionCounts


def sessions() -> list[tuple[dict[str, str], bool]]:
    """600 sessions over 3 devices; the iPhone 8 ones crash one time in five, others never.

    Each has its own user id and trace id, an HTTP status (an outcome), a region that is the
    same for all, and a rare model name on every hundredth session.
    """
    records = []
    for n in range(600):
        device = ("iPhone 8", "iPhone 12", "Pixel 7")[n % 3]
        attributes = {
            "device.model": device,
            "user.id": f"user-{n}",
            "session": f"{n:08x}",
            "http.response.status_code": "500" if n % 5 == 0 else "200",
            "cloud.region": "eu-west-1",
        }
        if n % 100 == 0:
            attributes["device.model"] = f"Rare {n}"
        records.append((attributes, device == "iPhone 8" and n % 5 == 0))
    return records


def test_identifiers_outcomes_and_constants_do_not_become_dimensions() -> None:
    """User ids, unique session keys, status codes and a constant region are all dropped."""
    table = count_table_from_records(sessions())
    assert table.dimensions == ("device.model",)
    assert sum(r.total for r in table.rows) == 600


def test_high_cardinality_id_dimension_is_ignored_by_attribution() -> None:
    """The crashing device is found although every session has its own user id."""
    (found,) = attribute_failures(count_table_from_records(sessions()))
    assert found.combination == (("device.model", "iPhone 8"),)


def test_values_beyond_the_cap_fold_into_other_and_missing_reads_none() -> None:
    """Only the most frequent values stay; the rest read (other), an absent key (none)."""
    records = [({"tier": "free"}, False)] * 5 + [({"tier": "pro"}, False)] * 3
    records += [({"tier": "enterprise"}, True), ({}, True)]
    table = count_table_from_records(records, options=FactOptions(max_values=2))
    by_value = {r.values[0]: (r.failed, r.total) for r in table.rows}
    assert by_value == {"free": (0, 5), "pro": (0, 3), "(other)": (1, 1), "(none)": (1, 1)}


def test_dimensions_come_most_present_first() -> None:
    """Keys held by more records come first; ties go by name."""
    records = [{"b": "1", "a": "x"}, {"b": "2", "a": "y"}, {"b": "1"}]
    assert list(choose_dimensions(records)) == ["b", "a"]


def test_counts_from_the_store_become_a_count_table() -> None:
    """The store's rows, comparison and nouns carry over unchanged."""
    counts = DimensionCounts(
        population="errors",
        dimensions=("device.model",),
        rows=((("A",), 3, 5), (("B",), 0, 4)),
        comparison="baseline",
        failed_noun="error events",
        population_noun="error events",
        query="SELECT ...",
    )
    table = count_table_from_counts(counts)
    assert table.dimensions == ("device.model",)
    assert [(r.values, r.failed, r.total) for r in table.rows] == [(("A",), 3, 5), (("B",), 0, 4)]
    assert (table.comparison, table.failed_noun) == ("baseline", "error events")
