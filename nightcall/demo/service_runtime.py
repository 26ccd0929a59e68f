"""The process-level side of faults in a live service: pool leaks, CPU hogs, memory, restarts.

`RuntimeLoop` reads the service's conditions four times a second and makes them real: it
leaks pool connections, runs a CPU-burning thread, allocates (and touches) memory, logs the
batch job's start and end, and ends the process for a deploy or an out-of-memory kill so the
supervisor starts a fresh one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from nightcall.demo import signals as sig
from nightcall.demo.effects import conditions_at
from nightcall.demo.faults import Fault, FaultKind
from nightcall.demo.process import EXIT_DEPLOY, EXIT_OOM, ProcessConfig
from nightcall.demo.topology import ServiceSpec

# Live processes leak a quarter of the simulated amount: the point is the shape, not the bytes.
LIVE_MEMORY_SCALE = 0.25
CHUNK_BYTES = 1024 * 1024


class LivePool:
    """A connection pool: `size` connections, acquire waits up to `timeout_s`, some may leak."""

    def __init__(self, name: str, size: int, timeout_s: float):
        self.name, self.size, self.timeout_s = name, size, timeout_s
        self._cond = threading.Condition()
        self.in_use = 0
        self.leaked = 0

    def acquire(self) -> bool:
        deadline = time.monotonic() + self.timeout_s
        with self._cond:
            while self.in_use + self.leaked >= self.size:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            self.in_use += 1
            return True

    def release(self) -> None:
        with self._cond:
            self.in_use -= 1
            self._cond.notify()

    def set_leaked(self, leaked: int) -> None:
        with self._cond:
            self.leaked = leaked
            self._cond.notify_all()

    def usage(self) -> tuple[str, int, int]:
        """(pool name, connections in use, size), as `db.client.connections.usage` reports."""
        with self._cond:
            return self.name, min(self.size, self.in_use + self.leaked), self.size


class RuntimeLoop:
    """Applies the process-level effects of this service's faults while it runs."""

    def __init__(
        self,
        spec: ServiceSpec,
        faults: list[Fault],
        config: ProcessConfig,
        pool: LivePool,
        logger: logging.Logger,
        version: str,
        stop: Callable[[int], None],
    ):
        self.spec, self.faults, self.config = spec, faults, config
        self.pool, self.logger, self.version, self.stop = pool, logger, version, stop
        self.leak: list[bytearray] = []
        self.cpu_extra = 0.0
        self.batch_running = False
        self.done = threading.Event()

    def start(self) -> None:
        threading.Thread(target=self._loop, name="faults", daemon=True).start()
        threading.Thread(target=self._hog, name="cpu-hog", daemon=True).start()

    def _loop(self) -> None:
        while not self.done.is_set():
            t_s = time.time() - self.config.origin_s
            cond = conditions_at(self.faults, self.spec.name, t_s)
            self.pool.set_leaked(cond.leaked_connections)
            self.cpu_extra = cond.cpu_extra
            if cond.version != self.version:
                self.logger.info("deploying %s version %s", self.spec.name, cond.version)
                self._exit(EXIT_DEPLOY)
                return
            if cond.batch_job_running != self.batch_running:
                self.batch_running = cond.batch_job_running
                if self.batch_running:
                    self.logger.info(sig.LOG_BATCH_START.format(job="reindex"))
                else:
                    self.logger.info(
                        sig.LOG_BATCH_END.format(job="reindex", rows=64_000, seconds=0.0)
                    )
            self._grow(int(cond.memory_extra_bytes * LIVE_MEMORY_SCALE))
            if self._leak_ended(t_s):
                limit_mib = self.spec.memory_limit_bytes // 2**20
                self.logger.error(sig.LOG_OOM.format(rss_mib=limit_mib, limit_mib=limit_mib))
                self._exit(EXIT_OOM)
                return
            self.done.wait(0.25)

    def _leak_ended(self, t_s: float) -> bool:
        """Whether a leak in this process has run its course: the OOM kill comes now."""
        return bool(self.leak) and any(
            f.kind is FaultKind.MEMORY_LEAK and f.service == self.spec.name and t_s >= f.end_s
            for f in self.faults
        )

    def _grow(self, target_bytes: int) -> None:
        while len(self.leak) * CHUNK_BYTES < target_bytes:
            self.leak.append(bytearray(b"\x01") * CHUNK_BYTES)  # written, so resident

    def _hog(self) -> None:
        """A runaway thread: burns `cpu_extra` of each 100 ms while a fault asks for it."""
        while not self.done.is_set():
            busy = 0.1 * self.cpu_extra
            deadline = time.perf_counter() + busy
            while time.perf_counter() < deadline:
                sum(i * i for i in range(500))
            self.done.wait(0.1 - busy)

    def _exit(self, code: int) -> None:
        self.done.set()
        self.stop(code)
