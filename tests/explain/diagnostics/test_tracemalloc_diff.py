"""tracemalloc_diff: a real Python process opts in, leaks, and the diff finds the leaking line."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from nightcall.explain.diagnostics import OPT_IN_ENV, NotAvailable, dump_snapshot
from nightcall.explain.diagnostics.tracemalloc_diff import tracemalloc_diff

# The opt-in contract without importing nightcall: `<unix ns>.tracemalloc` files in the folder.
LEAKER = """
import os, time, tracemalloc
folder = os.environ["NIGHTCALL_TRACEMALLOC_DIR"]
os.makedirs(folder, mode=0o700)
tracemalloc.start()
tracemalloc.take_snapshot().dump(f"{folder}/{time.time_ns()}.tracemalloc")
leak = [bytearray(1000) for _ in range(3000)]
tracemalloc.take_snapshot().dump(f"{folder}/{time.time_ns()}.tracemalloc")
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def opted_in(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A child Python that opted in and dumped two snapshots around a 3 MB allocation."""
    folder = tmp_path / "snapshots"
    env = {**os.environ, OPT_IN_ENV: str(folder)}
    child = subprocess.Popen([sys.executable, "-c", LEAKER], env=env, stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.readline() == b"ready\n"
    yield child.pid, folder
    child.kill()
    child.wait()
    child.stdout.close()


def test_diff_finds_the_line_that_grew(opted_in: tuple[int, Path]) -> None:
    """The two newest snapshots are diffed by line: the 3 MB list comprehension leads."""
    pid, _ = opted_in
    found = tracemalloc_diff({"pid": pid})
    assert int(found.facts["growth_bytes"]) > 2_500_000
    assert str(found.facts["top_site"]) == "<string>:7"
    assert found.summary.startswith(f"pid {pid} grew ")


def test_a_process_that_did_not_opt_in_is_not_available() -> None:
    """Without the variable in its environment, a process is "not available", with how to opt in."""
    with pytest.raises(NotAvailable, match=f"{OPT_IN_ENV}=DIR"):
        tracemalloc_diff({"pid": os.getpid()})


def test_dump_snapshot_writes_a_private_snapshot(tmp_path: Path) -> None:
    """The helper for opted-in processes writes a snapshot only its user can read or write."""
    tracemalloc.start()
    try:
        path = dump_snapshot(tmp_path / "snapshots")
    finally:
        tracemalloc.stop()
    assert path.name.endswith(".tracemalloc")
    assert path.stat().st_mode & 0o777 == 0o600
    assert tracemalloc.Snapshot.load(str(path)).traces is not None


def test_snapshots_others_could_write_are_refused(opted_in: tuple[int, Path]) -> None:
    """Snapshots are pickles: a folder writable by others is refused before anything is loaded."""
    pid, folder = opted_in
    folder.chmod(0o777)
    with pytest.raises(NotAvailable, match="writable by group or others"):
        tracemalloc_diff({"pid": pid})
