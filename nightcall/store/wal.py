"""The write-ahead log: segment files of checksummed records, and a checkpoint of what is stored.

A record is `MAGIC | lsn u64 | rows u32 | head_len u16 | payload_len u32 | crc32 u32 | head |
payload`, where `head` is the table name and, on a second line, its comma-separated columns.
Segments are named by their first log sequence number (LSN). The checkpoint file holds the
highest LSN the store has committed; closed segments wholly below it are deleted. Only one
thread appends (the group committer), so the log needs no lock of its own for writing.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nightcall.model import EncodedBatch

MAGIC = b"NCW1"
_HEADER = struct.Struct("<4sQIHII")
_CHECKPOINT = "applied"
# Windows has no writev: there, one write per chunk does the same, with more system calls.
_IOV_MAX = os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 1
_writev = getattr(os, "writev", lambda fd, views: os.write(fd, views[0]))


@dataclass(frozen=True, slots=True, kw_only=True)
class WalRecord:
    """A batch with its place in the log."""

    lsn: int
    batch: EncodedBatch


@dataclass(slots=True)
class _Segment:
    first_lsn: int
    path: Path
    last_lsn: int


def encode_record(lsn: int, batch: EncodedBatch) -> bytes:
    """The bytes of one log record."""
    return b"".join(_record_parts(lsn, batch))


def _record_parts(lsn: int, batch: EncodedBatch) -> tuple[bytes, bytes, bytes]:
    """A record as (header, head, payload), so `append` can write it without copying the payload."""
    table = (batch.table + "\n" + ",".join(batch.columns)).encode()
    crc = zlib.crc32(batch.payload, zlib.crc32(table))
    header = _HEADER.pack(MAGIC, lsn, batch.rows, len(table), len(batch.payload), crc)
    return header, table, batch.payload


def read_records(path: Path) -> Iterator[WalRecord]:
    """Records of one segment, stopping at the first torn or corrupt one (an unsynced tail)."""
    for record, _ in _scan(path.read_bytes()):
        yield record


def _scan(data: bytes) -> Iterator[tuple[WalRecord, int]]:
    """Each good record with the offset just past it, up to the first torn or corrupt one."""
    offset = 0
    while offset + _HEADER.size <= len(data):
        magic, lsn, rows, table_len, payload_len, crc = _HEADER.unpack_from(data, offset)
        start = offset + _HEADER.size
        end = start + table_len + payload_len
        if magic != MAGIC or end > len(data):
            return
        table = data[start : start + table_len]
        payload = data[start + table_len : end]
        if zlib.crc32(payload, zlib.crc32(table)) != crc:
            return
        name, _, columns = table.decode().partition("\n")
        batch = EncodedBatch(
            table=name, columns=tuple(columns.split(",")), payload=payload, rows=rows
        )
        yield WalRecord(lsn=lsn, batch=batch), end
        offset = end


def _cut_torn_tail(path: Path) -> int | None:
    """Truncate a segment after its last good record; the last LSN, or None when none is good.

    A crash can tear the record being written. Bytes after it are garbage, and leaving them
    would hide every record appended after a restart behind them, so they go now.
    """
    data = path.read_bytes()
    last_lsn, good_bytes = None, 0
    for record, end in _scan(data):
        last_lsn, good_bytes = record.lsn, end
    if good_bytes < len(data):
        with path.open("r+b") as handle:
            handle.truncate(good_bytes)
            os.fsync(handle.fileno())
    return last_lsn


def _write_all(fd: int, chunks: list[bytes]) -> int:
    """Write every chunk with gathered writes (no joined copy of the payloads); bytes written."""
    views = [memoryview(chunk) for chunk in chunks if chunk]
    first = 0
    while first < len(views):
        written = _writev(fd, views[first : first + _IOV_MAX])
        while first < len(views) and written >= len(views[first]):
            written -= len(views[first])
            first += 1
        if written:  # a short write ended inside this chunk
            views[first] = views[first][written:]
    return sum(len(chunk) for chunk in chunks)


class WriteAheadLog:
    """Append, sync, replay and truncate the log in `directory`."""

    def __init__(self, directory: Path, *, segment_bytes: int):
        self.directory = directory
        self.segment_bytes = segment_bytes
        directory.mkdir(parents=True, exist_ok=True)
        self.applied_lsn = self._read_checkpoint()
        self._segments: list[_Segment] = []
        for path in sorted(directory.glob("*.seg")):
            last = _cut_torn_tail(path)
            if last is None:
                path.unlink()  # nothing good in it; its name is free for the next segment
                continue
            self._segments.append(_Segment(int(path.stem), path, last))
        self.next_lsn = max([s.last_lsn for s in self._segments] + [self.applied_lsn]) + 1
        self._file: int | None = None
        self._file_bytes = 0
        # The appender and the writer thread both touch the segment list.
        self._lock = threading.Lock()

    def unapplied(self) -> Iterator[WalRecord]:
        """Records written but not yet checkpointed as stored, in LSN order."""
        for segment in self._segments:
            for record in read_records(segment.path):
                if record.lsn > self.applied_lsn:
                    yield record

    def append(self, batches: list[EncodedBatch]) -> list[WalRecord]:
        """Write batches to the current segment (not yet durable: call `sync`)."""
        records = []
        chunks: list[bytes] = []
        for batch in batches:
            record = WalRecord(lsn=self.next_lsn, batch=batch)
            self.next_lsn += 1
            records.append(record)
            chunks.extend(_record_parts(record.lsn, batch))
        if not records:
            return records
        with self._lock:
            fd = self._file
            if fd is None or self._file_bytes >= self.segment_bytes:
                fd = self._open_segment(records[0].lsn)
            self._file_bytes += _write_all(fd, chunks)
            self._segments[-1].last_lsn = records[-1].lsn
        return records

    def sync(self) -> None:
        """Make everything appended so far survive a crash."""
        if self._file is not None:
            os.fsync(self._file)

    def mark_applied(self, lsn: int) -> None:
        """Record that the store holds everything up to `lsn`; delete segments no longer needed."""
        if lsn <= self.applied_lsn:
            return
        self.applied_lsn = lsn
        temporary = self.directory / (_CHECKPOINT + ".tmp")
        temporary.write_text(str(lsn))
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        temporary.replace(self.directory / _CHECKPOINT)
        with self._lock:
            keep = []
            for index, segment in enumerate(self._segments):
                is_current = index == len(self._segments) - 1 and self._file is not None
                if segment.last_lsn <= lsn and not is_current:
                    segment.path.unlink(missing_ok=True)
                else:
                    keep.append(segment)
            self._segments = keep

    def close(self) -> None:
        if self._file is not None:
            os.fsync(self._file)
            os.close(self._file)
            self._file = None

    def _open_segment(self, first_lsn: int) -> int:
        if self._file is not None:
            os.fsync(self._file)
            os.close(self._file)
        path = self.directory / f"{first_lsn:020d}.seg"
        self._file = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._file_bytes = 0
        self._segments.append(_Segment(first_lsn, path, first_lsn - 1))
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)  # the new file's name must survive a crash too
        finally:
            os.close(directory)
        return self._file

    def _read_checkpoint(self) -> int:
        try:
            return int((self.directory / _CHECKPOINT).read_text().strip() or 0)
        except FileNotFoundError:
            return 0
