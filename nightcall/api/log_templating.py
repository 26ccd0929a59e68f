"""The writer's templating step: log records get their template id between the WAL and the store.

Why there, and not before the WAL append in the request path: the writer is one thread that
applies records in LSN order, so mining needs no lock and its order is the WAL's, on the live
path and on replay alike; the WAL keeps what the client sent, so a replay after a crash mines
the same lines again, in the same order, from the state saved for the WAL's checkpoint, and
gets the same ids; and the cost stays off the request path (an ingest request is answered once
its payload is fsync'd, as before; if mining falls behind, the backlog grows and ingest gets
503s, as for a slow store).

The state is saved (`SnapshotFiles`, in `data_dir/templates`) with the LSN of the last record
it mined, before the store commits those records; see `nightcall.store.state_snapshots` for
why restoring the newest snapshot below the first replayed LSN is then always right. The
templates table gets its rows in the same insert as the log records that made them.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from nightcall.analysis.logs.miner import MinerConfig
from nightcall.analysis.logs.templater import LogTemplater
from nightcall.config import Settings
from nightcall.store.state_snapshots import SnapshotFiles
from nightcall.store.wal import WalRecord

log = logging.getLogger("nightcall.templates")
COUNTS_INTERVAL_S = 10.0  # how often templates that only took lines are rewritten


class LogTemplating:
    """A `PrepareRecords` step for `IngestPipeline`: mine, save the state, add template rows."""

    def __init__(
        self,
        snapshots: SnapshotFiles,
        *,
        config: MinerConfig | None = None,
        counts_interval_s: float = COUNTS_INTERVAL_S,
        now_ns: Callable[[], int] = time.time_ns,
        new_generation: Callable[[], str] = lambda: secrets.token_hex(8),
    ) -> None:
        self.snapshots = snapshots
        self.config = config
        self.counts_interval_ns = int(counts_interval_s * 1e9)
        self.now_ns = now_ns
        self.new_generation = new_generation
        self.templater: LogTemplater | None = None
        self._counts_written_ns = 0

    def __call__(self, records: list[WalRecord]) -> list[WalRecord]:
        """The records with log batches mined, plus one batch of changed templates, if any."""
        try:
            return self._prepare(records)
        except Exception:  # the writer must go on: the rows are stored unmined (TemplateId 0)
            log.exception(
                "mining log templates failed; %d WAL records stored without", len(records)
            )
            return records

    def _prepare(self, records: list[WalRecord]) -> list[WalRecord]:
        templater = self.templater
        if templater is None:
            templater = self.templater = self._restore(first_lsn=records[0].lsn)
        mined_before = templater.lines_mined
        prepared = [replace(r, batch=templater.template_batch(r.batch)) for r in records]
        if templater.lines_mined != mined_before:
            self.snapshots.save(records[-1].lsn, templater.snapshot())
        now_ns = self.now_ns()
        include_counts = now_ns - self._counts_written_ns >= self.counts_interval_ns
        rows = templater.template_rows(now_ns=now_ns, include_counts=include_counts)
        if include_counts:
            self._counts_written_ns = now_ns
        if rows is not None:
            prepared.append(WalRecord(lsn=records[-1].lsn, batch=rows))
        return prepared

    def _restore(self, *, first_lsn: int) -> LogTemplater:
        """The state saved for the record before `first_lsn`; a new templater if there is none."""
        found = self.snapshots.latest_before(first_lsn)
        if found is not None:
            try:
                return LogTemplater.restore(found.state, self.config)
            except ValueError as exc:
                log.warning("cannot restore the log templates from %s (%s); mining anew with "
                            "new template ids", self.snapshots.directory, exc)  # fmt: skip
        elif self.snapshots.all():
            log.warning(
                "the log template state in %s is ahead of the write-ahead log (first record "
                "%d): the WAL was reset; mining anew with new template ids",
                self.snapshots.directory, first_lsn,
            )  # fmt: skip
        templater = LogTemplater(generation=self.new_generation(), config=self.config)
        # Saved before the first record is mined, so a crash before that record's checkpoint
        # restores this generation and the replay gives the same ids.
        self.snapshots.save(first_lsn - 1, templater.snapshot())
        return templater


def log_templating(settings: Settings) -> LogTemplating | None:
    """The templating step `settings` asks for (`log_templates`), its state in the data dir."""
    if not settings.log_templates:
        return None
    return LogTemplating(SnapshotFiles(Path(settings.data_dir) / "templates"))
