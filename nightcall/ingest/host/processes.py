"""The processes using the most CPU and the most memory, with what identifies them.

One pass over every process reads only its CPU times and memory (cheap); the details that cost
more system calls (command line, threads, open file descriptors) are read for the top N only.
CPU utilization follows the semantic conventions: CPU time over the interval, divided by the
elapsed time and the number of CPUs, so 1.0 is the whole machine.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass

import psutil

from nightcall.ingest.host.points import PointBatch

MAX_COMMAND_LINE = 1024  # characters kept of a command line
_ProcessKey = tuple[int, float]  # pid and start time: a reused pid is another process


@dataclass(frozen=True, slots=True)
class ProcessSample:
    """CPU seconds and resident memory of one process at one time."""

    pid: int
    name: str
    cpu_s: float
    rss_bytes: int
    virtual_bytes: int
    started: float


class ProcessTracker:
    """Remembers each process's CPU time between collections to rate it."""

    def __init__(self, *, top: int):
        self.top = top
        self._cpu_s: dict[_ProcessKey, float] = {}
        self._last_s = time.monotonic()
        self._cpus = psutil.cpu_count() or 1
        self.sample()  # the baseline the first collection rates against

    def sample(self) -> list[ProcessSample]:
        """Every process this user may read, in one pass."""
        samples = []
        attrs = ["pid", "name", "cpu_times", "memory_info", "create_time"]
        for process in psutil.process_iter(attrs):
            info = process.info
            times, memory = info.get("cpu_times"), info.get("memory_info")
            if times is None or memory is None:
                continue
            samples.append(
                ProcessSample(
                    pid=info["pid"],
                    name=info.get("name") or "",
                    cpu_s=times.user + times.system,
                    rss_bytes=memory.rss,
                    virtual_bytes=memory.vms,
                    started=info.get("create_time") or 0.0,
                )
            )
        return samples

    def collect(self, batch: PointBatch) -> None:
        """Add points for the top processes by CPU and by memory (each process once)."""
        now_s = time.monotonic()
        elapsed_s = max(now_s - self._last_s, 1e-9)
        samples = self.sample()
        previous, self._cpu_s = self._cpu_s, {(s.pid, s.started): s.cpu_s for s in samples}
        self._last_s = now_s
        utilization = {}
        for s in samples:
            before = previous.get((s.pid, s.started))
            used = s.cpu_s - before if before is not None else 0.0
            utilization[s.pid] = max(0.0, used) / elapsed_s / self._cpus
        by_cpu = sorted(samples, key=lambda s: utilization[s.pid], reverse=True)[: self.top]
        by_memory = sorted(samples, key=lambda s: s.rss_bytes, reverse=True)[: self.top]
        chosen = {s.pid: s for s in [*by_cpu, *by_memory]}
        for sample in chosen.values():
            _add_process(batch, sample, utilization[sample.pid])


def _add_process(batch: PointBatch, sample: ProcessSample, utilization: float) -> None:
    command_line = ""
    threads: int | None = None
    fds: int | None = None
    with contextlib.suppress(psutil.Error):
        process = psutil.Process(sample.pid)
        with process.oneshot():
            with contextlib.suppress(psutil.Error):
                command_line = " ".join(process.cmdline())[:MAX_COMMAND_LINE]
            with contextlib.suppress(psutil.Error):
                threads = process.num_threads()
            with contextlib.suppress(psutil.Error, AttributeError):  # num_fds: Unix only
                fds = process.num_fds()
    labels = {
        "process.pid": str(sample.pid),
        "process.executable.name": sample.name,
        "process.command_line": command_line,
    }
    batch.gauge("process.cpu.utilization", utilization, "1", labels)
    batch.gauge("process.memory.usage", sample.rss_bytes, "By", labels)
    batch.gauge("process.memory.virtual", sample.virtual_bytes, "By", labels)
    if threads is not None:
        batch.gauge("process.thread.count", threads, "{thread}", labels)
    if fds is not None:
        batch.gauge("process.open_file_descriptor.count", fds, "{file_descriptor}", labels)
