"""The write-ahead log: append, sync, replay, torn and corrupt tails, checkpoints, rollover."""

from __future__ import annotations

from pathlib import Path

import pytest

from nightcall.model import EncodedBatch
from nightcall.store.wal import WriteAheadLog, encode_record

LARGE = 1 << 30  # a segment size no test reaches


def batch(number: int) -> EncodedBatch:
    """A small batch whose payload names its number."""
    return EncodedBatch(
        table="otel_traces",
        columns=("TsNs", "TraceId"),
        payload=f'[[{number}],["{number:032x}"]]'.encode(),
        rows=1,
    )


def replayed(directory: Path, segment_bytes: int = LARGE) -> list[tuple[int, EncodedBatch]]:
    """What a freshly opened log in `directory` replays, as (lsn, batch) pairs."""
    wal = WriteAheadLog(directory, segment_bytes=segment_bytes)
    try:
        return [(record.lsn, record.batch) for record in wal.unapplied()]
    finally:
        wal.close()


def segment_names(directory: Path) -> list[str]:
    """The segment files in `directory`, sorted."""
    return sorted(path.name for path in directory.glob("*.seg"))


def test_append_assigns_consecutive_lsns_and_replays_in_order(tmp_path: Path) -> None:
    """Appended batches get LSNs 1, 2, 3... and a reopened log replays them in that order."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    first = wal.append([batch(1), batch(2)])
    second = wal.append([batch(3)])
    wal.sync()
    wal.close()
    assert [r.lsn for r in first] == [1, 2]
    assert [r.lsn for r in second] == [3]
    assert replayed(tmp_path) == [(1, batch(1)), (2, batch(2)), (3, batch(3))]


def test_unapplied_reads_the_open_log_too(tmp_path: Path) -> None:
    """The log that is still appending replays what it holds beyond the checkpoint."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    wal.append([batch(1), batch(2)])
    wal.sync()
    assert [(r.lsn, r.batch) for r in wal.unapplied()] == [(1, batch(1)), (2, batch(2))]
    wal.close()


def test_empty_append_writes_nothing(tmp_path: Path) -> None:
    """Appending no batches returns no records, creates no segment and uses no LSN."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    assert wal.append([]) == []
    assert segment_names(tmp_path) == []
    assert wal.next_lsn == 1
    wal.close()


def test_reopened_log_continues_the_lsn_sequence(tmp_path: Path) -> None:
    """After a reopen, new records continue from the last LSN and replay follows the old ones."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    wal.append([batch(1), batch(2)])
    wal.close()
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    assert wal.next_lsn == 3
    assert [r.lsn for r in wal.append([batch(3)])] == [3]
    wal.close()
    assert replayed(tmp_path) == [(1, batch(1)), (2, batch(2)), (3, batch(3))]


HEADER_BYTES = 26  # magic, lsn, rows, head length, payload length, crc32


@pytest.mark.parametrize(
    "kept",
    [10, HEADER_BYTES, HEADER_BYTES + 5, HEADER_BYTES + 40, -1],
    ids=["inside-header", "header-only", "inside-head", "inside-payload", "all-but-one-byte"],
)
def test_torn_tail_stops_replay_at_the_last_whole_record(tmp_path: Path, kept: int) -> None:
    """A segment cut anywhere inside its last record replays every record before that one."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    wal.append([batch(1), batch(2), batch(3)])
    wal.close()
    (segment,) = tmp_path.glob("*.seg")
    whole = len(encode_record(1, batch(1))) + len(encode_record(2, batch(2)))
    last_size = len(encode_record(3, batch(3)))
    kept_bytes = kept % last_size
    assert 0 < kept_bytes < last_size
    segment.write_bytes(segment.read_bytes()[: whole + kept_bytes])
    assert replayed(tmp_path) == [(1, batch(1)), (2, batch(2))]
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    assert wal.next_lsn == 3
    wal.close()


def test_flipped_byte_stops_replay_at_the_last_good_record(tmp_path: Path) -> None:
    """A byte flipped in a record's payload fails its CRC: replay stops before that record."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    wal.append([batch(1), batch(2), batch(3)])
    wal.close()
    (segment,) = tmp_path.glob("*.seg")
    data = bytearray(segment.read_bytes())
    second_payload_end = len(encode_record(1, batch(1))) + len(encode_record(2, batch(2)))
    data[second_payload_end - 3] ^= 0x01
    segment.write_bytes(bytes(data))
    assert replayed(tmp_path) == [(1, batch(1))]


def test_flipped_byte_in_the_head_is_caught_too(tmp_path: Path) -> None:
    """The CRC covers the table name and columns, not only the payload."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    wal.append([batch(1), batch(2)])
    wal.close()
    (segment,) = tmp_path.glob("*.seg")
    data = bytearray(segment.read_bytes())
    data[len(encode_record(1, batch(1))) + HEADER_BYTES + 2] ^= 0x20  # in the table name
    segment.write_bytes(bytes(data))
    assert replayed(tmp_path) == [(1, batch(1))]


def test_segments_roll_over_at_segment_bytes(tmp_path: Path) -> None:
    """A segment takes appends until it reaches `segment_bytes`; the next opens a new file."""
    record_size = len(encode_record(1, batch(1)))
    wal = WriteAheadLog(tmp_path, segment_bytes=2 * record_size)
    for number in range(1, 6):
        wal.append([batch(number)])
    wal.close()
    assert segment_names(tmp_path) == [
        "00000000000000000001.seg",
        "00000000000000000003.seg",
        "00000000000000000005.seg",
    ]
    sizes = [path.stat().st_size for path in sorted(tmp_path.glob("*.seg"))]
    assert sizes == [2 * record_size, 2 * record_size, record_size]
    assert [lsn for lsn, _ in replayed(tmp_path)] == [1, 2, 3, 4, 5]


def test_one_append_stays_in_one_segment(tmp_path: Path) -> None:
    """A group larger than `segment_bytes` is written whole into one segment."""
    wal = WriteAheadLog(tmp_path, segment_bytes=1)
    wal.append([batch(1), batch(2), batch(3)])
    wal.append([batch(4)])
    wal.close()
    assert segment_names(tmp_path) == ["00000000000000000001.seg", "00000000000000000004.seg"]


def test_mark_applied_deletes_closed_segments_below_it_and_keeps_the_current(
    tmp_path: Path,
) -> None:
    """Checkpointing deletes closed segments wholly at or below the LSN, never the open one."""
    wal = WriteAheadLog(tmp_path, segment_bytes=1)  # every append opens a new segment
    for number in range(1, 5):
        wal.append([batch(number)])
    wal.sync()
    wal.mark_applied(2)
    assert segment_names(tmp_path) == ["00000000000000000003.seg", "00000000000000000004.seg"]
    assert (tmp_path / "applied").read_text() == "2"
    wal.mark_applied(4)
    assert segment_names(tmp_path) == ["00000000000000000004.seg"]
    assert (tmp_path / "applied").read_text() == "4"
    assert list(wal.unapplied()) == []
    wal.close()


def test_mark_applied_keeps_a_segment_that_is_partly_beyond_it(tmp_path: Path) -> None:
    """A closed segment holding records beyond the checkpoint stays until they are applied."""
    wal = WriteAheadLog(tmp_path, segment_bytes=1)
    wal.append([batch(1), batch(2)])
    wal.append([batch(3)])
    wal.mark_applied(1)
    assert segment_names(tmp_path) == ["00000000000000000001.seg", "00000000000000000003.seg"]
    assert [r.lsn for r in wal.unapplied()] == [2, 3]
    wal.close()


def test_mark_applied_never_moves_backwards(tmp_path: Path) -> None:
    """A checkpoint at or below the current one changes nothing."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    wal.append([batch(1), batch(2), batch(3)])
    wal.mark_applied(2)
    wal.mark_applied(1)
    assert wal.applied_lsn == 2
    assert (tmp_path / "applied").read_text() == "2"
    wal.close()


def test_reopen_after_checkpoint_replays_only_what_is_beyond_it(tmp_path: Path) -> None:
    """A log reopened after a checkpoint replays the records past it, and numbers on from there."""
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    wal.append([batch(n) for n in range(1, 6)])
    wal.sync()
    wal.mark_applied(3)
    wal.close()
    assert replayed(tmp_path) == [(4, batch(4)), (5, batch(5))]
    wal = WriteAheadLog(tmp_path, segment_bytes=LARGE)
    assert wal.applied_lsn == 3
    assert wal.next_lsn == 6
    wal.close()


def test_reopen_after_full_checkpoint_keeps_numbering(tmp_path: Path) -> None:
    """With every segment deleted, the checkpoint alone carries the LSN sequence on."""
    wal = WriteAheadLog(tmp_path, segment_bytes=1)
    wal.append([batch(1)])
    wal.append([batch(2)])
    wal.close()
    wal = WriteAheadLog(tmp_path, segment_bytes=1)
    wal.mark_applied(2)  # nothing is open after a reopen, so both segments go
    assert segment_names(tmp_path) == []
    wal.close()
    wal = WriteAheadLog(tmp_path, segment_bytes=1)
    assert list(wal.unapplied()) == []
    assert [r.lsn for r in wal.append([batch(3)])] == [3]
    wal.close()


def test_records_appended_after_a_torn_segment_head_survive_replay(tmp_path: Path) -> None:
    """A crash that tore the first record of a new segment does not hide records written later."""
    wal = WriteAheadLog(tmp_path, segment_bytes=1)
    wal.append([batch(1)])
    wal.append([batch(2)])
    wal.close()
    torn = tmp_path / "00000000000000000002.seg"
    torn.write_bytes(torn.read_bytes()[:10])  # the crash came mid-way through record 2
    wal = WriteAheadLog(tmp_path, segment_bytes=1)
    (record,) = wal.append([batch(20)])
    wal.sync()
    wal.close()
    assert replayed(tmp_path) == [(1, batch(1)), (record.lsn, batch(20))]
