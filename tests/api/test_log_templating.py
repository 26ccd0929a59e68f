"""The writer's templating step: ids survive restarts; a replay after a crash gives the same ids."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from nightcall.analysis.logs.templater import TEMPLATE_COLUMN
from nightcall.api.app import Runtime
from nightcall.api.log_templating import LogTemplating
from nightcall.model import EncodedBatch
from nightcall.store.queries_logs import search_logs
from nightcall.store.queries_traces import Window
from nightcall.store.schema import LOG_TEMPLATES, LOGS
from nightcall.store.state_snapshots import SnapshotFiles
from nightcall.store.wal import WalRecord, WriteAheadLog
from tests.store.telemetry import SECOND_NS, log_batches, make_log, single_span_batch

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
WINDOW = Window(start_ns=T0 - 3600 * SECOND_NS, end_ns=T0 + 3600 * SECOND_NS)
LINES = [
    "user 7 logged in from 10.0.0.7",
    "session opened for user root",
    "GET /cart took 12 ms",
    "user 9 logged in from 10.0.0.9",
    "session opened for user admin",
    "cache miss for key cart:17",
]


def batch_of(bodies: list[str], *, start_ns: int = T0, service: str = "shop") -> EncodedBatch:
    """One otel_logs batch from the real flattener, a line per millisecond from `start_ns`."""
    records = [make_log(time_ns=start_ns + i * 1_000_000, body=b) for i, b in enumerate(bodies)]
    (batch,) = log_batches({service: records})
    return batch


def ids_of(records: list[WalRecord]) -> list[int]:
    """The template ids of every mined log row in `records`, in order."""
    ids: list[int] = []
    for record in records:
        if record.batch.table == LOGS.name:
            columns = orjson.loads(record.batch.payload)
            ids += columns[record.batch.columns.index(TEMPLATE_COLUMN)]
    return ids


def wal_groups(count: int) -> list[list[WalRecord]]:
    """`count` writer groups of two log records each (LSNs from 1), every group different."""
    groups = []
    for g in range(count):
        lines = [f"{line} round {g}" if g % 2 else line for line in LINES]
        groups.append([
            WalRecord(lsn=2 * g + 1, batch=batch_of(lines[:3], start_ns=T0 + g * SECOND_NS)),
            WalRecord(lsn=2 * g + 2, batch=batch_of(lines[3:], start_ns=T0 + g * SECOND_NS)),
        ])  # fmt: skip
    return groups


def templating(directory: Path) -> LogTemplating:
    """A templating step on `directory` with a fixed generation and clock."""
    return LogTemplating(SnapshotFiles(directory), new_generation=lambda: "f" * 16,
                         now_ns=lambda: T0)  # fmt: skip


def test_replay_after_a_crash_gives_the_ids_the_crash_lost(tmp_path: Path) -> None:
    """Whether a crash hits before the checkpoint of the first group or of a later one, the
    replay from the checkpoint mines the same ids as a run that never crashed."""
    groups = wal_groups(4)
    uninterrupted = templating(tmp_path / "reference")
    expected = [ids_of(uninterrupted(group)) for group in groups]

    first_run = templating(tmp_path / "crashed")
    assert ids_of(first_run(groups[0])) == expected[0]  # crash: group 0 never checkpointed
    second_run = templating(tmp_path / "crashed")
    assert ids_of(second_run(groups[0])) == expected[0]  # replayed from the checkpoint (0)
    assert ids_of(second_run(groups[1])) == expected[1]
    assert ids_of(second_run(groups[2])) == expected[2]  # crash: group 2 never checkpointed
    third_run = templating(tmp_path / "crashed")
    assert [ids_of(third_run(g)) for g in groups[2:]] == expected[2:]


def test_template_rows_ride_with_the_group_that_made_them(tmp_path: Path) -> None:
    """A group with new templates gets one nightcall_log_templates record at its last LSN."""
    (group,) = wal_groups(1)
    prepared = templating(tmp_path)(group)
    assert [r.lsn for r in prepared] == [1, 2, 2]
    assert prepared[-1].batch.table == LOG_TEMPLATES.name
    assert prepared[-1].batch.rows == 4  # the two logins share one, the two sessions too


def test_groups_without_logs_pass_through(tmp_path: Path) -> None:
    """A group of spans comes back as it went in, and saves no state beyond the first one."""
    spans = [WalRecord(lsn=1, batch=single_span_batch(1, start_ns=T0))]
    step = templating(tmp_path)
    assert step(spans) == spans
    assert [s.lsn for s in SnapshotFiles(tmp_path).all()] == [0]


@pytest.mark.allow_server_errors
def test_a_batch_the_templater_cannot_read_is_stored_unmined(tmp_path: Path) -> None:
    """A log batch without a Body column is logged and passed on as it came: the writer goes on."""
    odd = EncodedBatch(table=LOGS.name, columns=("TsNs",), payload=b"[[1]]", rows=1)
    records = [WalRecord(lsn=1, batch=odd)]
    assert templating(tmp_path)(records) == records


def ingest(runtime: Runtime, bodies: list[str], *, start_ns: int) -> None:
    """Put log lines through the runtime's real pipeline and wait until they are stored."""
    runtime.pipeline.submit((batch_of(bodies, start_ns=start_ns),)).result(timeout=30)
    assert runtime.pipeline.wait_until_stored(30)


def stored_templates(runtime: Runtime, start_ns: int) -> dict[str, tuple[str | None, str | None]]:
    """Body -> (template id, template) of the records stored from `start_ns` on."""
    window = Window(start_ns=start_ns, end_ns=start_ns + 60 * SECOND_NS)
    logs, _ = search_logs(runtime.store, window, limit=1000)
    return {log["body"]: (log["template_id"], log["template"]) for log in logs}


def close(runtime: Runtime) -> None:
    """Stop a runtime as `nightcall serve` does on shutdown."""
    runtime.pipeline.close()
    runtime.store.close()


def test_template_ids_survive_a_restart(make_runtime: Callable[..., Runtime]) -> None:
    """Closing the runtime and reopening the data directory gives the same lines the same ids."""
    first = make_runtime()
    ingest(first, LINES, start_ns=T0)
    before = stored_templates(first, T0)
    assert all(template_id for template_id, _ in before.values())
    close(first)

    second = make_runtime()
    ingest(second, LINES, start_ns=T0 + 120 * SECOND_NS)
    after = stored_templates(second, T0 + 120 * SECOND_NS)
    assert after == before


def test_a_wal_left_by_a_crash_is_mined_on_start(
    make_runtime: Callable[..., Runtime], data_dir: Path
) -> None:
    """Acknowledged lines the store never got are replayed on start, with the ids they deserve."""
    first = make_runtime()
    ingest(first, LINES, start_ns=T0)
    before = stored_templates(first, T0)
    close(first)
    wal = WriteAheadLog(data_dir / "wal", segment_bytes=1 << 20)  # as a crashed server left it
    wal.append([batch_of(LINES, start_ns=T0 + 120 * SECOND_NS)])
    wal.close()

    second = make_runtime()
    assert second.pipeline.stats.replayed_records == 1
    assert stored_templates(second, T0 + 120 * SECOND_NS) == before


def test_templating_can_be_turned_off(make_runtime: Callable[..., Runtime], data_dir: Path) -> None:
    """With log_templates off, records are stored without template ids and no state is kept."""
    runtime = make_runtime(log_templates=False)
    ingest(runtime, LINES, start_ns=T0)
    assert set(stored_templates(runtime, T0).values()) == {(None, None)}
    assert not (data_dir / "templates").exists()
