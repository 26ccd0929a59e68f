"""The tracemalloc diff of a Python process that opted in, and the call that opts a process in.

Opting in: the process runs with `NIGHTCALL_TRACEMALLOC_DIR=/some/dir` in its environment,
starts `tracemalloc`, and now and then (a timer, a signal handler, a debug endpoint) writes
`tracemalloc.take_snapshot().dump(f"{dir}/{time.time_ns()}.tracemalloc")`, mode 0600 in a 0700
folder: that file layout is the whole contract, and `dump_snapshot(dir)` here does it for a
process that can import nightcall. nightcall finds the folder in the process's environment and
diffs the two newest snapshots by line: where the memory that grew between them was allocated.
Nothing is sent to the process; without the variable the result is "not available".

Snapshots are pickles, and unpickling runs code, so nightcall loads only regular files (no
symbolic links) owned by the user nightcall runs as, in a directory of that user, neither
writable by group or others, and smaller than `MAX_SNAPSHOT_BYTES`. A process of another user
opts in by running nightcall's CLI as that user (`nightcall diagnostics run tracemalloc_diff`).
"""

from __future__ import annotations

import os
import stat
import time
import tracemalloc
from pathlib import Path

import psutil

from nightcall.explain.diagnostics.params import Params
from nightcall.explain.diagnostics.record import Fact, NotAvailable, ProbeOutput

OPT_IN_ENV = "NIGHTCALL_TRACEMALLOC_DIR"
SUFFIX = ".tracemalloc"
MAX_SNAPSHOT_BYTES = 256 * 2**20
TOP = 15


def dump_snapshot(directory: Path) -> Path:
    """Write a tracemalloc snapshot of this process into `directory` (call it in the process).

    The file is named by the time, written under a temporary name and renamed, so nightcall
    never reads a half-written snapshot. `tracemalloc.start()` must have been called.
    """
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{time.time_ns()}{SUFFIX}"
    partial = path.with_suffix(".partial")
    tracemalloc.take_snapshot().dump(str(partial))
    partial.chmod(0o600)
    partial.rename(path)
    return path


def _check_private(path: Path, what: str) -> os.stat_result:
    """Refuse files another user could have written: they are about to be unpickled."""
    info = path.lstat()
    mine = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    if stat.S_ISLNK(info.st_mode):
        raise NotAvailable(f"{what} {path} is a symbolic link; nightcall loads only plain files")
    if info.st_uid != mine:
        raise NotAvailable(
            f"{what} {path} belongs to uid {info.st_uid}, not to nightcall's uid {mine}: "
            "snapshots are pickles, so only the same user's are loaded; run "
            "`nightcall diagnostics run tracemalloc_diff` as that user"
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise NotAvailable(f"{what} {path} is writable by group or others: chmod go-w it")
    return info


def _snapshot_dir(pid: int) -> Path:
    try:
        environ = psutil.Process(pid).environ()
    except psutil.AccessDenied:
        raise NotAvailable(
            f"reading the environment of process {pid} was refused: run as its user or root"
        ) from None
    except psutil.NoSuchProcess:
        raise NotAvailable(f"process {pid} exited while it was being read") from None
    directory = environ.get(OPT_IN_ENV, "")
    if not directory:
        raise NotAvailable(
            f"process {pid} has not opted in to tracemalloc snapshots: start it with "
            f"{OPT_IN_ENV}=DIR, call tracemalloc.start(), and call "
            "nightcall.explain.diagnostics.dump_snapshot(Path(DIR)) now and then"
        )
    path = Path(directory)
    if not path.is_absolute() or not path.is_dir():
        raise NotAvailable(f"{OPT_IN_ENV} of process {pid} is {directory!r}, not a directory")
    return path


def tracemalloc_diff(params: Params) -> ProbeOutput:
    """Where the memory that grew between a process's two newest snapshots was allocated."""
    pid = int(params["pid"])
    directory = _snapshot_dir(pid)
    _check_private(directory, "snapshot directory")
    snapshots = sorted(directory.glob(f"*{SUFFIX}"))
    if len(snapshots) < 2:
        raise NotAvailable(
            f"{directory} holds {len(snapshots)} snapshot(s) of process {pid}; a diff needs "
            "two: let it call dump_snapshot again"
        )
    older, newer = snapshots[-2], snapshots[-1]
    for path in (older, newer):
        if _check_private(path, "snapshot").st_size > MAX_SNAPSHOT_BYTES:
            raise NotAvailable(f"snapshot {path} is over {MAX_SNAPSHOT_BYTES // 2**20} MiB")
    try:
        before = tracemalloc.Snapshot.load(str(older))
        after = tracemalloc.Snapshot.load(str(newer))
    except Exception as exc:  # a corrupt pickle can raise anything
        raise NotAvailable(f"cannot load the snapshots in {directory}: {exc}") from None
    stats = after.compare_to(before, "lineno")
    growth = sum(stat.size_diff for stat in stats)
    apart_s = (int(newer.stem) - int(older.stem)) / 1e9 if newer.stem.isdigit() else 0.0
    lines = [f"{older.name} -> {newer.name} ({apart_s:.1f} s apart): {growth / 1024:+,.1f} KiB"]
    lines += [str(stat) for stat in stats[:TOP]]
    facts: dict[str, Fact] = {"growth_bytes": growth, "seconds_apart": round(apart_s, 1)}
    summary = f"pid {pid} grew {growth / 1024:+,.1f} KiB in {apart_s:.0f} s"
    if stats and stats[0].size_diff > 0:
        top = stats[0]
        frame = top.traceback[0]
        facts |= {"top_site": f"{frame.filename}:{frame.lineno}", "top_growth_bytes": top.size_diff}
        summary += f"; most at {frame.filename}:{frame.lineno} ({top.size_diff / 1024:+,.1f} KiB)"
    return ProbeOutput(text="\n".join(lines), summary=summary, facts=facts)
