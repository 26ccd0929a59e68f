"""Snapshots tied to WAL positions: the newest two kept, the right one found, torn ones skipped."""

from __future__ import annotations

from pathlib import Path

from nightcall.store.state_snapshots import Snapshot, SnapshotFiles


def test_an_empty_directory_has_no_snapshot(tmp_path: Path) -> None:
    """Before any save there is nothing to restore."""
    files = SnapshotFiles(tmp_path / "templates")
    assert files.all() == []
    assert files.latest_before(10) is None


def test_the_newest_snapshot_below_the_first_replayed_lsn_is_chosen(tmp_path: Path) -> None:
    """With snapshots for LSN 4 and 9, replay from 5..9 restores 4, and from 10 restores 9."""
    files = SnapshotFiles(tmp_path)
    files.save(4, {"n": 4})
    files.save(9, {"n": 9})
    assert files.latest_before(5) == Snapshot(lsn=4, state={"n": 4})
    assert files.latest_before(10) == Snapshot(lsn=9, state={"n": 9})
    assert files.latest_before(4) is None


def test_only_the_two_newest_snapshots_are_kept(tmp_path: Path) -> None:
    """A third save drops the oldest; the files left are the newest and the one before."""
    files = SnapshotFiles(tmp_path)
    for lsn in (1, 2, 3):
        files.save(lsn, {"n": lsn})
    assert sorted(s.lsn for s in files.all()) == [2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json", "state.prev.json"]


def test_a_torn_write_is_skipped(tmp_path: Path) -> None:
    """A temporary file cut short by a crash is not read as a snapshot."""
    files = SnapshotFiles(tmp_path)
    files.save(3, {"n": 3})
    (tmp_path / "state.json.tmp").write_bytes(b'{"lsn": 7, "state": {"n"')
    assert files.latest_before(100) == Snapshot(lsn=3, state={"n": 3})


def test_a_complete_temporary_file_counts(tmp_path: Path) -> None:
    """A crash between the two renames leaves the new snapshot as the temporary file: it is used."""
    files = SnapshotFiles(tmp_path)
    files.save(3, {"n": 3})
    (tmp_path / "state.json").replace(tmp_path / "state.prev.json")
    (tmp_path / "state.json.tmp").write_bytes(b'{"lsn": 7, "state": {"n": 7}}')
    assert files.latest_before(100) == Snapshot(lsn=7, state={"n": 7})
    assert files.latest_before(7) == Snapshot(lsn=3, state={"n": 3})
