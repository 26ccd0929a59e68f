"""Running one command: an argument list, no shell, minimal environment, bounded time and output.

`run_command` is the default `Runner`, the one seam between the diagnostics and the operating
system; tests pass a recording runner in its place to see exactly which argument lists would run.
The child gets no stdin, a fixed `PATH` and the C locale, its own session (so a timeout kills
its whole process group, `sleep` under `perf record` included), and at most `max_output_bytes`
of its output is kept; the rest is read and counted, so a chatty child never blocks on a pipe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TypeAlias

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MINIMAL_ENV: Mapping[str, str] = {"PATH": SAFE_PATH, "LC_ALL": "C", "LANG": "C"}
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandRequest:
    """One command to run: the full argument list (argv[0] an absolute path) and its limits."""

    argv: tuple[str, ...]
    timeout_s: float
    max_output_bytes: int
    env: Mapping[str, str] = field(default_factory=lambda: dict(MINIMAL_ENV))
    cwd: str = "/"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandOutcome:
    """How a command ended: exit code (None if it never started or was killed), output kept."""

    exit_code: int | None
    output: bytes = b""
    output_bytes: int = 0
    is_timed_out: bool = False
    error: str = ""  # why it could not start (permission, missing file)


Runner: TypeAlias = Callable[[CommandRequest], CommandOutcome]
ToolFinder: TypeAlias = Callable[[str], str | None]


def find_tool(name: str) -> str | None:
    """The absolute path of executable `name`: on `PATH`, the sbin directories, or beside this
    Python (a virtual environment's `bin`, where `pip install py-spy` puts it)."""
    if "/" in name:
        return None  # catalogue tools are bare names; a path is never looked up
    directories = [*os.environ.get("PATH", "").split(os.pathsep), *SAFE_PATH.split(":")]
    directories.append(str(Path(sys.executable).parent))
    for directory in directories:
        if not directory:
            continue
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


class _BoundedReader(threading.Thread):
    """Reads a pipe to its end, keeping the first `limit` bytes and counting the rest."""

    def __init__(self, stream: IO[bytes], limit: int):
        super().__init__(name="nightcall-diagnostic-output", daemon=True)
        self.stream = stream
        self.limit = limit
        self.kept = bytearray()
        self.total = 0

    def run(self) -> None:
        try:
            while chunk := self.stream.read1(_CHUNK):  # type: ignore[attr-defined]  # a BufferedReader
                self.total += len(chunk)
                room = self.limit - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
        except (OSError, ValueError):
            return  # the pipe was closed under us after a timeout: keep what was read


def run_command(request: CommandRequest) -> CommandOutcome:
    """Run `request.argv` without a shell; never raises for the command's own failures."""
    try:
        process = subprocess.Popen(  # an argument list built from the catalogue
            list(request.argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=dict(request.env),
            cwd=request.cwd,
            shell=False,
            close_fds=True,
            start_new_session=True,
        )
    except OSError as exc:
        return CommandOutcome(exit_code=None, error=f"{exc.strerror or exc} ({request.argv[0]})")
    stdout = process.stdout
    if stdout is None:  # pragma: no cover - Popen(stdout=PIPE) always sets it
        raise RuntimeError("the child has no output pipe")
    reader = _BoundedReader(stdout, request.max_output_bytes)
    reader.start()
    timed_out = False
    try:
        process.wait(timeout=request.timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(process)
        process.wait()
    reader.join(timeout=2.0)
    if not reader.is_alive():  # else a grandchild still holds the pipe: the reader ends with it
        stdout.close()
    return CommandOutcome(
        exit_code=None if timed_out else process.returncode,
        output=bytes(reader.kept),
        output_bytes=reader.total,
        is_timed_out=timed_out,
    )


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's session (it was started in its own), or the child alone if that fails."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
