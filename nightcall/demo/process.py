"""What a live demo process is told at start, and the housekeeping every such process does.

A process gets a `ProcessConfig` as JSON on its command line; it must stop by itself at
`until_s` (or when its parent is gone), so nothing the demo starts can outlive it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import orjson

from nightcall.demo.faults import Fault, fault_from_json, fault_to_json

EXIT_DEPLOY = 3  # the process left for a new version to start
EXIT_OOM = 137  # killed for memory, as the kernel's OOM killer would


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessConfig:
    """Everything one live process needs; times are Unix seconds."""

    name: str
    port: int
    ports: dict[str, int]
    url: str
    key: str | None
    dsn: str
    origin_s: float
    until_s: float
    day_s: float
    mean_rate_per_s: float
    seed: int
    faults: list[dict[str, object]] = field(default_factory=list)

    def fault_list(self) -> list[Fault]:
        return [fault_from_json(f) for f in self.faults]

    def to_json(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @staticmethod
    def from_json(text: str) -> ProcessConfig:
        return ProcessConfig(**orjson.loads(text))

    @staticmethod
    def faults_json(faults: list[Fault]) -> list[dict[str, object]]:
        return [fault_to_json(f) for f in faults]


def watch_deadline(config: ProcessConfig, stop: Callable[[], None]) -> threading.Thread:
    """Call `stop` once the run is over or the parent process has gone away."""
    parent = os.getppid()

    def watch() -> None:
        while time.time() < config.until_s and os.getppid() == parent:
            time.sleep(0.2)
        stop()

    thread = threading.Thread(target=watch, name="deadline", daemon=True)
    thread.start()
    return thread
