"""The log templater: a TemplateId column on log batches, template rows, merges, snapshots."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

import orjson
import pytest

from nightcall.analysis.logs.templater import (
    MAX_BODY_CHARS,
    TEMPLATE_COLUMN,
    LogTemplater,
    global_template_id,
)
from nightcall.model import EncodedBatch
from nightcall.store.schema import LOG_TEMPLATES
from tests.store.telemetry import SECOND_NS, log_batches, make_log, single_span_batch

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
GENERATION = "0123456789abcdef"
ROOT_LINES = ["session opened for user root"] * 10
SPLIT_LINES = ["session opened for user admin", "session opened for user guest"]


def batch_of(bodies: list[str], *, service: str = "auth", start_ns: int = T0) -> EncodedBatch:
    """One otel_logs batch, made by the real flattener, one line per second from `start_ns`."""
    records = [make_log(time_ns=start_ns + i * SECOND_NS, body=b) for i, b in enumerate(bodies)]
    (batch,) = log_batches({service: records})
    return batch


def template_ids(batch: EncodedBatch) -> list[int]:
    """The TemplateId column of a mined batch."""
    columns = orjson.loads(batch.payload)
    return [int(i) for i in columns[batch.columns.index(TEMPLATE_COLUMN)]]


def rows_of(batch: EncodedBatch | None) -> list[dict[str, Any]]:
    """A nightcall_log_templates batch as one dict per row."""
    assert batch is not None
    assert batch.table == LOG_TEMPLATES.name
    assert batch.columns == LOG_TEMPLATES.insert_columns
    columns = orjson.loads(batch.payload)
    return [dict(zip(batch.columns, row, strict=True)) for row in zip(*columns, strict=True)]


def test_log_batches_get_a_template_id_column_and_keep_every_other_column() -> None:
    """Mining appends TemplateId; lines of one event share an id, other events get others."""
    batch = batch_of(["user 7 logged in", "user 9 logged in", "disk /dev/sda1 full"])
    mined = LogTemplater(generation=GENERATION).template_batch(batch)
    assert mined.columns == (*batch.columns, TEMPLATE_COLUMN)
    assert mined.rows == batch.rows
    assert orjson.loads(mined.payload)[:-1] == orjson.loads(batch.payload)
    first, second, third = template_ids(mined)
    assert first == second != third
    assert first == global_template_id(GENERATION, "auth", 1)


def test_other_tables_and_mined_batches_pass_unchanged() -> None:
    """Span batches, and a log batch that already has TemplateId, are not touched."""
    templater = LogTemplater(generation=GENERATION)
    spans = single_span_batch(1, start_ns=T0)
    assert templater.template_batch(spans) is spans
    mined = templater.template_batch(batch_of(["a line"]))
    assert templater.template_batch(mined) is mined
    assert templater.lines_mined == 1


def test_services_never_share_a_template_id() -> None:
    """The same line in two services gets two ids: miners and ids are per service."""
    templater = LogTemplater(generation=GENERATION)
    (a,) = template_ids(templater.template_batch(batch_of(["cache warm"], service="a")))
    (b,) = template_ids(templater.template_batch(batch_of(["cache warm"], service="b")))
    assert a != b


def test_ids_depend_on_the_generation() -> None:
    """Two generations give the same line different ids, so a fresh start cannot reuse ids."""
    line = batch_of(["cache warm"])
    one = template_ids(LogTemplater(generation="a").template_batch(line))
    two = template_ids(LogTemplater(generation="b").template_batch(line))
    assert one != two
    assert 0 not in one + two


def test_interleaved_services_get_the_ids_and_rows_of_separate_batches() -> None:
    """Rows of two services taking turns in one batch are mined as each service's own lines."""
    auth = batch_of(["user 7 logged in", "user 9 logged in", "disk full", "user 3 logged in"])
    cache_lines = ["cache warm", "user 7 logged in", "cache warm", "evicted 12 keys"]
    cache = batch_of(cache_lines, service="cache", start_ns=T0 + 5)
    separate = LogTemplater(generation=GENERATION)
    expected = [template_ids(separate.template_batch(b)) for b in (auth, cache)]
    columns = zip(orjson.loads(auth.payload), orjson.loads(cache.payload), strict=True)
    turns = [[v for pair in zip(a, b, strict=True) for v in pair] for a, b in columns]
    payload, rows = orjson.dumps(turns), auth.rows + cache.rows
    mixed = EncodedBatch(table=auth.table, columns=auth.columns, payload=payload, rows=rows)
    together = LogTemplater(generation=GENERATION)
    ids = template_ids(together.template_batch(mixed))
    assert ids == [i for pair in zip(*expected, strict=True) for i in pair]
    key = itemgetter("ServiceName", "MinerId")
    assert sorted(rows_of(together.template_rows(now_ns=T0, include_counts=True)), key=key) == (
        sorted(rows_of(separate.template_rows(now_ns=T0, include_counts=True)), key=key)
    )


def test_template_rows_hold_new_templates_then_counts_only_when_asked() -> None:
    """New templates are rows at once; later lines update counts only with include_counts."""
    templater = LogTemplater(generation=GENERATION)
    templater.template_batch(batch_of(["user 7 logged in", "user 9 logged in"]))
    (row,) = rows_of(templater.template_rows(now_ns=T0 + 100, include_counts=False))
    assert row == {
        "ServiceName": "auth",
        "TemplateId": global_template_id(GENERATION, "auth", 1),
        "MinerId": 1,
        "LiveTemplateId": global_template_id(GENERATION, "auth", 1),
        "Template": "user <*> logged in",
        "FirstSeenNs": T0,
        "LastSeenNs": T0 + SECOND_NS,
        "Count": 2,
        "UpdatedNs": T0 + 100,
    }
    templater.template_batch(batch_of(["user 3 logged in"], start_ns=T0 + 60 * SECOND_NS))
    assert templater.template_rows(now_ns=T0 + 200, include_counts=False) is None
    (counted,) = rows_of(templater.template_rows(now_ns=T0 + 300, include_counts=True))
    assert (counted["Count"], counted["LastSeenNs"]) == (3, T0 + 60 * SECOND_NS)
    assert templater.template_rows(now_ns=T0 + 400, include_counts=True) is None


def test_a_merged_template_points_at_the_one_it_merged_into() -> None:
    """A child split at a settled constant that rejoins gets LiveTemplateId of its parent."""
    templater = LogTemplater(generation=GENERATION)
    ids = template_ids(templater.template_batch(batch_of([*ROOT_LINES, SPLIT_LINES[0]])))
    parent, child = ids[0], ids[-1]
    assert parent != child
    templater.template_rows(now_ns=T0, include_counts=True)
    templater.template_batch(batch_of([SPLIT_LINES[1]]))
    changed = templater.template_rows(now_ns=T0 + 1, include_counts=False)
    rows = {r["TemplateId"]: r for r in rows_of(changed)}
    assert rows[child]["LiveTemplateId"] == parent
    assert rows[child]["Template"] == rows[parent]["Template"] == "session opened for user <*>"
    assert rows[parent]["LiveTemplateId"] == parent


def test_long_bodies_are_mined_by_their_start() -> None:
    """Bodies past MAX_BODY_CHARS that share their start share a template."""
    head = "payload " + "x" * MAX_BODY_CHARS
    ids = template_ids(
        LogTemplater(generation=GENERATION).template_batch(batch_of([head + " a", head + " b c"]))
    )
    assert ids[0] == ids[1]


def test_restore_continues_exactly_where_the_snapshot_was_taken() -> None:
    """A restored templater gives the next batches the ids the original would have."""
    first = batch_of([*ROOT_LINES, SPLIT_LINES[0], "user 7 logged in"])
    later = [batch_of(["user 8 logged in", SPLIT_LINES[1], "new event 5"], start_ns=T0 + i)
             for i in range(3)]  # fmt: skip
    original = LogTemplater(generation=GENERATION)
    original.template_batch(first)
    snapshot = orjson.loads(orjson.dumps(original.snapshot()))  # through JSON, as on disk
    restored = LogTemplater.restore(snapshot)
    for batch in later:
        assert template_ids(restored.template_batch(batch)) == template_ids(
            original.template_batch(batch)
        )
    assert restored.snapshot() == original.snapshot()


def test_a_restored_templater_writes_every_template_again() -> None:
    """After a restore every template is a row once, with its counts and merges."""
    original = LogTemplater(generation=GENERATION)
    original.template_batch(batch_of([*ROOT_LINES, *SPLIT_LINES]))
    written = rows_of(original.template_rows(now_ns=T0, include_counts=True))
    restored = LogTemplater.restore(original.snapshot())
    again = rows_of(restored.template_rows(now_ns=T0, include_counts=False))
    assert sorted(again, key=lambda r: r["TemplateId"]) == sorted(
        written, key=lambda r: r["TemplateId"]
    )


@pytest.mark.parametrize(
    "snapshot", [{"version": 99}, {"version": 1}, {"version": 1, "generation": "g"}]
)
def test_restore_refuses_unknown_or_malformed_snapshots(snapshot: dict[str, Any]) -> None:
    """A snapshot of another version, or missing parts, raises ValueError."""
    with pytest.raises(ValueError, match="snapshot"):
        LogTemplater.restore(snapshot)
