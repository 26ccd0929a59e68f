"""The ingest pipeline: group-committed WAL appends, the single writer, backpressure, replay."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from nightcall.errors import Overloaded
from nightcall.model import EncodedBatch
from nightcall.store.pipeline import IngestPipeline
from nightcall.store.store import Store
from nightcall.store.wal import WriteAheadLog, read_records
from tests.store.telemetry import (
    MS_NS,
    SECOND_NS,
    make_span,
    single_span_batch,
    span_id,
    trace_batches,
    trace_id,
)

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
WAIT_S = 60.0  # generous: only a broken pipeline takes this long
# A batch that names a real table and real columns but whose values have the wrong types.
REFUSED = EncodedBatch(
    table="otel_traces",
    columns=("TsNs", "Duration"),
    payload=b'[["yesterday"],["slow"]]',
    rows=1,
)

PipelineFactory = Callable[..., IngestPipeline]


@pytest.fixture
def wal_dir(tmp_path: Path) -> Path:
    """The pipeline's write-ahead log directory."""
    return tmp_path / "wal"


@pytest.fixture
def make_pipeline(store: Store, wal_dir: Path) -> Iterator[PipelineFactory]:
    """Builds pipelines (not started) over the real store; closes them after the test."""
    built: list[IngestPipeline] = []

    def make(**overrides: float) -> IngestPipeline:
        options: dict[str, float] = {
            "segment_bytes": 1 << 20,
            "max_pending_bytes": 1 << 24,
            "batch_bytes": 1 << 20,
            "interval_s": 0.05,
            **overrides,
        }
        pipeline = IngestPipeline(
            store,
            wal_dir,
            segment_bytes=int(options["segment_bytes"]),
            max_pending_bytes=int(options["max_pending_bytes"]),
            batch_bytes=int(options["batch_bytes"]),
            interval_s=options["interval_s"],
        )
        built.append(pipeline)
        return pipeline

    yield make
    for pipeline in built:
        pipeline.close()


def spans_per_trace(store: Store) -> dict[str, int]:
    """How many stored spans each trace id has."""
    rows = store.select(
        f"SELECT TraceId AS t, count() AS n FROM {store.table('otel_traces')} GROUP BY t"
    )
    return {str(row["t"]): int(row["n"]) for row in rows}


def expected_traces(numbers: range) -> dict[str, int]:
    """One span for each of these single-span traces."""
    return {trace_id(n).hex(): 1 for n in numbers}


def submit_from_threads(
    pipeline: IngestPipeline, batches: list[EncodedBatch], threads: int
) -> list[Future[int]]:
    """Submit one batch per call, the calls spread over `threads` concurrent threads."""
    futures: list[Future[int]] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def work(share: list[EncodedBatch]) -> None:
        start.wait()
        for batch in share:
            future = pipeline.submit((batch,))
            with lock:
                futures.append(future)

    workers = [threading.Thread(target=work, args=(batches[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return futures


def test_submit_resolves_after_fsync_and_the_rows_reach_the_store(
    make_pipeline: PipelineFactory, store: Store, wal_dir: Path
) -> None:
    """A submitted request's future gives its LSN once synced; the writer then stores its rows."""
    pipeline = make_pipeline()
    pipeline.start()
    spans = [
        make_span(
            trace=trace_id(n), span=span_id(n), name="GET /", start_ns=T0 + n, duration_ns=MS_NS
        )
        for n in range(1, 4)
    ]
    batches = trace_batches({"svc": spans})
    lsn = pipeline.submit(batches).result(timeout=WAIT_S)
    assert lsn == 1
    assert pipeline.stats.wal_syncs == 1
    (segment,) = wal_dir.glob("*.seg")
    assert [(r.lsn, r.batch) for r in read_records(segment)] == [(1, batches[0])]
    assert pipeline.wait_until_stored(WAIT_S)
    assert spans_per_trace(store) == expected_traces(range(1, 4))
    assert pipeline.stats.rows_inserted["otel_traces"] == 3
    assert pipeline.stats.pending_bytes == 0
    assert pipeline.wal.applied_lsn == 1


def test_an_empty_submit_resolves_at_once(make_pipeline: PipelineFactory) -> None:
    """A request that decoded to no batches is acknowledged without touching the log."""
    pipeline = make_pipeline()
    pipeline.start()
    assert pipeline.submit(()).result(timeout=WAIT_S) == 0
    assert pipeline.stats.wal_syncs == 0
    assert pipeline.wal.next_lsn == 1


def test_submits_queued_together_share_one_fsync(
    make_pipeline: PipelineFactory, store: Store
) -> None:
    """Concurrent submits that queue while the appender is busy are group-committed in one sync."""
    pipeline = make_pipeline()
    batches = [single_span_batch(n, start_ns=T0 + n) for n in range(1, 65)]
    futures = submit_from_threads(pipeline, batches, threads=8)
    pipeline.start()  # the appender finds all 64 requests waiting
    lsns = sorted(future.result(timeout=WAIT_S) for future in futures)
    assert lsns == list(range(1, 65))
    assert pipeline.stats.wal_syncs == 1
    assert pipeline.wait_until_stored(WAIT_S)
    assert spans_per_trace(store) == expected_traces(range(1, 65))


def test_concurrent_submits_are_all_durable_and_stored_once(
    make_pipeline: PipelineFactory, store: Store
) -> None:
    """Submits from many threads to a running pipeline each get a distinct LSN and land once."""
    pipeline = make_pipeline()
    pipeline.start()
    batches = [single_span_batch(n, start_ns=T0 + n) for n in range(1, 201)]
    futures = submit_from_threads(pipeline, batches, threads=8)
    lsns = sorted(future.result(timeout=WAIT_S) for future in futures)
    assert lsns == list(range(1, 201))
    assert 1 <= pipeline.stats.wal_syncs <= 200
    assert pipeline.wait_until_stored(WAIT_S)
    assert spans_per_trace(store) == expected_traces(range(1, 201))


def test_submit_over_the_backlog_limit_raises_overloaded(
    make_pipeline: PipelineFactory, store: Store
) -> None:
    """Past `max_pending_bytes` of unstored data, submit raises Overloaded with a retry delay."""
    first = single_span_batch(1, start_ns=T0)
    size = len(first.payload)
    pipeline = make_pipeline(max_pending_bytes=size + size // 2)
    accepted = pipeline.submit((first,))  # the writer is not running: it stays pending
    assert pipeline.stats.pending_bytes == size
    with pytest.raises(Overloaded) as raised:
        pipeline.submit((single_span_batch(2, start_ns=T0),))
    assert raised.value.retry_after_s == 2
    assert raised.value.status == 503
    assert f"{size} bytes wait to be stored" in raised.value.message
    assert pipeline.stats.pending_bytes == size
    pipeline.start()
    assert accepted.result(timeout=WAIT_S) == 1
    assert pipeline.wait_until_stored(WAIT_S)
    assert pipeline.submit((single_span_batch(3, start_ns=T0),)).result(timeout=WAIT_S) == 2
    assert pipeline.wait_until_stored(WAIT_S)
    assert spans_per_trace(store) == {trace_id(1).hex(): 1, trace_id(3).hex(): 1}


def test_a_batch_larger_than_the_backlog_limit_is_refused(make_pipeline: PipelineFactory) -> None:
    """One request bigger than the whole backlog limit is refused even when nothing waits."""
    batch = single_span_batch(1, start_ns=T0)
    pipeline = make_pipeline(max_pending_bytes=len(batch.payload) - 1)
    with pytest.raises(Overloaded):
        pipeline.submit((batch,))
    assert pipeline.stats.pending_bytes == 0


def test_close_drains_everything_acknowledged(make_pipeline: PipelineFactory, store: Store) -> None:
    """close() stores every acknowledged batch at once, even when the writer would still wait."""
    pipeline = make_pipeline(interval_s=30.0, batch_bytes=1 << 30)
    pipeline.start()
    futures = [pipeline.submit((single_span_batch(n, start_ns=T0 + n),)) for n in range(1, 21)]
    assert sorted(f.result(timeout=WAIT_S) for f in futures) == list(range(1, 21))
    pipeline.close()
    assert spans_per_trace(store) == expected_traces(range(1, 21))
    assert pipeline.stats.pending_bytes == 0
    assert pipeline.wal.applied_lsn == 20


def test_submit_after_close_is_refused(make_pipeline: PipelineFactory) -> None:
    """A closing pipeline answers Overloaded, so the HTTP layer says 503 rather than losing data."""
    pipeline = make_pipeline()
    pipeline.start()
    pipeline.close()
    with pytest.raises(Overloaded) as raised:
        pipeline.submit((single_span_batch(1, start_ns=T0),))
    assert raised.value.message == "the server is shutting down"


def test_restart_replays_unapplied_wal_records_exactly_once(
    make_pipeline: PipelineFactory, store: Store, wal_dir: Path
) -> None:
    """Records in the WAL beyond the checkpoint are stored on start, once, and not again."""
    wal = WriteAheadLog(wal_dir, segment_bytes=1 << 20)
    wal.append([single_span_batch(n, start_ns=T0 + n) for n in range(1, 4)])
    wal.append([single_span_batch(4, start_ns=T0 + 4)])
    wal.sync()
    wal.close()  # as if the server died before its writer ran
    assert spans_per_trace(store) == {}

    first = make_pipeline()
    first.start()
    assert first.stats.replayed_records == 4
    assert spans_per_trace(store) == expected_traces(range(1, 5))
    assert first.wal.applied_lsn == 4
    assert first.submit((single_span_batch(5, start_ns=T0 + 5),)).result(timeout=WAIT_S) == 5
    first.close()

    second = make_pipeline()
    second.start()
    assert second.stats.replayed_records == 0
    assert spans_per_trace(store) == expected_traces(range(1, 6))


@pytest.mark.allow_server_errors
def test_a_refused_batch_is_quarantined_and_later_batches_flow(
    make_pipeline: PipelineFactory, store: Store, wal_dir: Path
) -> None:
    """A batch the store refuses goes to wal/quarantine, is counted, and does not block the log."""
    pipeline = make_pipeline()
    pipeline.start()
    assert pipeline.submit((REFUSED,)).result(timeout=WAIT_S) == 1
    assert pipeline.wait_until_stored(WAIT_S)
    assert pipeline.stats.batches_quarantined == 1
    assert pipeline.stats.insert_failures == 3
    kept = wal_dir / "quarantine" / "00000000000000000001.otel_traces.json"
    assert kept.read_bytes() == REFUSED.payload

    assert pipeline.submit((single_span_batch(7, start_ns=T0),)).result(timeout=WAIT_S) == 2
    assert pipeline.wait_until_stored(WAIT_S)
    assert spans_per_trace(store) == {trace_id(7).hex(): 1}
    assert pipeline.wal.applied_lsn == 2
    assert pipeline.stats.batches_quarantined == 1


@pytest.mark.allow_server_errors
def test_quarantined_rows_are_not_counted_as_inserted(make_pipeline: PipelineFactory) -> None:
    """rows_inserted counts only rows the store took, not those of a quarantined batch."""
    pipeline = make_pipeline()
    pipeline.start()
    pipeline.submit((REFUSED,)).result(timeout=WAIT_S)
    pipeline.submit((single_span_batch(1, start_ns=T0),)).result(timeout=WAIT_S)
    assert pipeline.wait_until_stored(WAIT_S)
    assert pipeline.stats.batches_quarantined == 1
    assert pipeline.stats.rows_inserted["otel_traces"] == 1


@pytest.mark.allow_server_errors
def test_a_refused_batch_does_not_duplicate_the_good_batches_stored_with_it(
    make_pipeline: PipelineFactory, store: Store
) -> None:
    """Good batches that the writer gathers together with a refused one are stored exactly once."""
    pipeline = make_pipeline(interval_s=0.5)
    good = pipeline.submit((single_span_batch(1, start_ns=T0),))
    bad = pipeline.submit((REFUSED,))
    pipeline.start()  # both are waiting: the writer gathers them into one insert
    assert good.result(timeout=WAIT_S) == 1
    assert bad.result(timeout=WAIT_S) == 2
    assert pipeline.wait_until_stored(WAIT_S)
    assert pipeline.stats.batches_quarantined == 1
    assert spans_per_trace(store) == {trace_id(1).hex(): 1}
