"""JSON state tied to a WAL position: written atomically, the newest two kept.

A part of the writer that keeps state across restarts (the log templater's miners) saves it
with the LSN of the last record it covers, *before* the store commits those records and the
WAL checkpoint moves. After a crash the WAL replays from its checkpoint `C`, so the state to
restore is the one saved for `C`: the newest snapshot whose LSN is below the first replayed
record. A snapshot for records the crash kept from the store is then newer than that; keeping
the previous snapshot beside the newest is what makes the right one still there, because a new
snapshot is only written once the records of the one before it were checkpointed.

Files: `state.json` (newest), `state.prev.json` (the one before) and `state.json.tmp` while a
write is under way. A torn or unreadable file is skipped, never trusted.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

_CURRENT = "state.json"
_PREVIOUS = "state.prev.json"
_TEMPORARY = "state.json.tmp"


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Saved state and the LSN of the last WAL record it includes."""

    lsn: int
    state: dict[str, Any]


class SnapshotFiles:
    """The two newest snapshots of one kind of state, in `directory`."""

    def __init__(self, directory: Path):
        self.directory = directory

    def save(self, lsn: int, state: dict[str, Any]) -> None:
        """Write `state` for `lsn` durably, keeping the snapshot it replaces as the previous one."""
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.directory / _TEMPORARY
        with temporary.open("wb") as handle:
            handle.write(orjson.dumps({"lsn": lsn, "state": state}))
            handle.flush()
            os.fsync(handle.fileno())
        current = self.directory / _CURRENT
        if current.exists():
            current.replace(self.directory / _PREVIOUS)
        temporary.replace(current)
        self._sync_directory()

    def latest_before(self, lsn: int) -> Snapshot | None:
        """The newest readable snapshot for an LSN below `lsn`, or None when there is none."""
        found = [s for s in self.all() if s.lsn < lsn]
        return max(found, key=lambda s: s.lsn) if found else None

    def all(self) -> list[Snapshot]:
        """Every readable snapshot on disk (a write cut short by a crash is left out)."""
        snapshots = []
        for name in (_CURRENT, _PREVIOUS, _TEMPORARY):
            try:
                data = orjson.loads((self.directory / name).read_bytes())
                snapshots.append(Snapshot(lsn=int(data["lsn"]), state=dict(data["state"])))
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return snapshots

    def _sync_directory(self) -> None:
        """Make the renames survive a power cut (the names live in the directory)."""
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
