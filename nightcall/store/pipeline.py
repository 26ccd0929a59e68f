"""From an acknowledged request to stored rows: group-committed WAL appends and one writer.

    submit() ──> appender thread: append to WAL, fsync once per group, resolve the futures
                       └──> writer thread: gather batches, insert per table, checkpoint

Backpressure is by bytes: once acknowledged-but-unstored data passes `max_pending_bytes`,
`submit` raises `Overloaded` and the HTTP layer answers 503 with Retry-After.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

from nightcall.errors import Overloaded, StoreError
from nightcall.model import EncodedBatch
from nightcall.store.store import Store
from nightcall.store.wal import WalRecord, WriteAheadLog

log = logging.getLogger("nightcall.pipeline")
_Entry: TypeAlias = tuple[tuple[EncodedBatch, ...], Future[int]]
# A step between the WAL and the store (the log templater): takes the records the writer is
# about to insert, in LSN order, and returns what to insert instead. Replay calls it too.
PrepareRecords: TypeAlias = Callable[[list[WalRecord]], list[WalRecord]]


@dataclass(slots=True)
class PipelineStats:
    """Counters that /metrics exposes; written by the pipeline's threads, read by anyone."""

    pending_bytes: int = 0
    oldest_pending_s: float | None = None
    rows_inserted: Counter[str] = field(default_factory=Counter)
    batches_quarantined: int = 0
    insert_failures: int = 0
    wal_syncs: int = 0
    replayed_records: int = 0


class IngestPipeline:
    """Owns the WAL appender thread and the single writer thread of one store."""

    def __init__(
        self,
        store: Store,
        wal_dir: Path,
        *,
        segment_bytes: int,
        max_pending_bytes: int,
        batch_bytes: int,
        interval_s: float,
        prepare: PrepareRecords | None = None,
    ):
        self.store = store
        self.prepare = prepare
        self.wal = WriteAheadLog(wal_dir, segment_bytes=segment_bytes)
        self.max_pending_bytes = max_pending_bytes
        self.batch_bytes = batch_bytes
        self.interval_s = interval_s
        self.stats = PipelineStats()
        self._lock = threading.Lock()
        self._drained = threading.Condition(self._lock)  # notified when pending_bytes hits 0
        self._append_queue: queue.Queue[_Entry | None] = queue.Queue()  # None: stop
        self._write_queue: queue.Queue[list[WalRecord] | None] = queue.Queue()  # None: stop
        self._pending_since: list[float] = []
        self._closing = False
        self._appender = threading.Thread(target=self._append_loop, name="wal-appender")
        self._writer = threading.Thread(target=self._write_loop, name="store-writer")

    def start(self) -> None:
        """Replay what the WAL holds beyond the checkpoint, then start both threads."""
        replay: list[WalRecord] = []
        replay_bytes = 0
        for record in self.wal.unapplied():
            self.stats.replayed_records += 1
            replay.append(record)
            replay_bytes += len(record.batch.payload)
            if replay_bytes >= self.batch_bytes:
                self._store(replay)
                replay, replay_bytes = [], 0
        if replay:
            self._store(replay)
        self._appender.start()
        self._writer.start()

    def submit(self, batches: tuple[EncodedBatch, ...]) -> Future[int]:
        """Queue batches for the WAL; the future resolves once they are fsync'd."""
        future: Future[int] = Future()
        size = sum(len(b.payload) for b in batches)
        with self._lock:
            if self._closing:
                raise Overloaded("the server is shutting down", retry_after_s=5)
            if self.stats.pending_bytes + size > self.max_pending_bytes and size:
                raise Overloaded(
                    f"{self.stats.pending_bytes} bytes wait to be stored, over the "
                    f"{self.max_pending_bytes}-byte backlog limit",
                    retry_after_s=2,
                    hint="retry later; raise wal_max_pending_bytes if this is steady load",
                )
            self.stats.pending_bytes += size
        if not batches:
            future.set_result(0)
            return future
        self._append_queue.put((batches, future))
        return future

    def close(self) -> None:
        """Stop taking data, drain the WAL and the writer, and close the log."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        if self._appender.is_alive():
            self._append_queue.put(None)
            self._appender.join()
        if self._writer.is_alive():
            self._write_queue.put(None)
            self._writer.join()
        self.wal.close()

    def wait_until_stored(self, timeout_s: float) -> bool:
        """Block until everything submitted so far is in the store; False on timeout."""
        with self._drained:
            return self._drained.wait_for(lambda: self.stats.pending_bytes == 0, timeout_s)

    def writer_lag_s(self) -> float:
        """Age of the oldest acknowledged batch that is not yet stored."""
        with self._lock:
            return time.monotonic() - self._pending_since[0] if self._pending_since else 0.0

    def _append_loop(self) -> None:
        while True:
            item = self._append_queue.get()
            group = [item]
            while True:  # group commit: everything queued meanwhile shares one fsync
                try:
                    group.append(self._append_queue.get_nowait())
                except queue.Empty:
                    break
            entries = [entry for entry in group if entry is not None]
            if entries:
                self._append_group(entries)
            if len(entries) < len(group):
                return

    def _append_group(self, entries: list[_Entry]) -> None:
        try:
            records_per_entry = [self.wal.append(list(batches)) for batches, _ in entries]
            self.wal.sync()
            self.stats.wal_syncs += 1
        except OSError as exc:
            for batches, future in entries:
                self._release(sum(len(b.payload) for b in batches))
                future.set_exception(StoreError(f"cannot write the write-ahead log: {exc}"))
            return
        now = time.monotonic()
        with self._lock:
            self._pending_since.extend([now] * len(entries))
        for records, (_, future) in zip(records_per_entry, entries, strict=True):
            self._write_queue.put(records)
            future.set_result(records[-1].lsn)

    def _write_loop(self) -> None:
        stop = False
        while not stop:
            item = self._write_queue.get()
            if item is None:
                return
            gathered = [item]
            size = sum(len(r.batch.payload) for r in gathered[0])
            deadline = time.monotonic() + self.interval_s
            while size < self.batch_bytes:
                try:
                    more = self._write_queue.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                gathered.append(more)
                size += sum(len(r.batch.payload) for r in more)
            records = [record for group in gathered for record in group]
            self._store(records)
            with self._lock:
                del self._pending_since[: len(gathered)]
            self._release(size)

    def _store(self, records: list[WalRecord]) -> None:
        """Insert records and checkpoint.

        Records go in one statement per table and column list, so a statement that fails is
        retried alone and never re-inserts what another statement already committed; a group
        that keeps failing is inserted batch by batch, and a batch the store refuses on its own
        is quarantined.
        """
        last_lsn = records[-1].lsn
        if self.prepare is not None:
            records = self.prepare(records)
        groups: dict[tuple[str, tuple[str, ...]], list[WalRecord]] = defaultdict(list)
        for record in records:
            groups[record.batch.table, record.batch.columns].append(record)
        for group in groups.values():
            if not self._insert_with_retries(group):
                for record in group:
                    try:
                        self.store.insert_batches([record.batch])
                    except StoreError as exc:
                        self._quarantine(record, exc)
                        continue
                    self.stats.rows_inserted[record.batch.table] += record.batch.rows
        self.wal.mark_applied(last_lsn)

    def _insert_with_retries(self, group: list[WalRecord], attempts: int = 3) -> bool:
        """Insert one table's records in one statement; False when every attempt failed."""
        for attempt in range(attempts):
            try:
                self.store.insert_batches([r.batch for r in group])
            except StoreError as exc:
                self.stats.insert_failures += 1
                log.warning("insert of %d batches failed (try %d): %s", len(group), attempt, exc)
                time.sleep(0.2 * (attempt + 1))
                continue
            for record in group:
                self.stats.rows_inserted[record.batch.table] += record.batch.rows
            return True
        return False

    def _quarantine(self, record: WalRecord, exc: StoreError) -> None:
        """Keep a batch the store refuses on its own, so it is counted and kept, not lost."""
        self.stats.batches_quarantined += 1
        target = self.wal.directory / "quarantine"
        target.mkdir(exist_ok=True)
        stem = f"{record.lsn:020d}.{record.batch.table}"
        (target / f"{stem}.json").write_bytes(record.batch.payload)
        (target / f"{stem}.columns").write_text(",".join(record.batch.columns))
        log.error("batch %d for %s refused by the store, kept in %s: %s",
                  record.lsn, record.batch.table, target, exc)  # fmt: skip

    def _release(self, size: int) -> None:
        with self._lock:
            self.stats.pending_bytes -= size
            if self.stats.pending_bytes == 0:
                self._drained.notify_all()
