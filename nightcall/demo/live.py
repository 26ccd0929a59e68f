"""Live mode: the shop as real processes on 127.0.0.1, load, a fault, and its ground truth.

`run_live` starts one process per service plus the mobile app (each stops by itself at the end
of the run, or if this process goes away), restarts a process that exits early (a deploy, an
OOM kill) as a supervisor would, drives load through the frontend, and returns the truth.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nightcall.demo.bundle import default_dsn
from nightcall.demo.faults import Fault, FaultKind, make_fault
from nightcall.demo.loadgen import LoadStats, run_load
from nightcall.demo.process import ProcessConfig
from nightcall.demo.topology import MOBILE_SERVICE, SERVICE_NAMES
from nightcall.demo.traffic import DayCurve
from nightcall.demo.truth import run_truth
from nightcall.errors import NightcallError

STARTUP_S = 8.0
SHUTDOWN_GRACE_S = 3.0
MAX_RESTARTS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveOptions:
    """A live run: where to send, how long, which fault."""

    url: str
    key: str | None = None
    dsn: str | None = None
    duration_s: float = 180.0
    fault: FaultKind | None = None
    service: str | None = None
    fault_start_s: float | None = None
    fault_duration_s: float | None = None
    mean_rate_per_s: float = 6.0
    seed: int = 7

    @staticmethod
    def short(url: str, **overrides: Any) -> LiveOptions:
        """The CI run: about 45 s of traffic, the fault from 12 s to 40 s."""
        values: dict[str, Any] = {
            "duration_s": 45.0,
            "fault_start_s": 12.0,
            "fault_duration_s": 28.0,
            **overrides,
        }
        return LiveOptions(url=url, **values)


@dataclass(slots=True)
class LiveResult:
    """What a live run did."""

    truth: dict[str, Any]
    load: LoadStats
    restarts: Counter[str] = field(default_factory=Counter)
    wall_s: float = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def plan_faults(options: LiveOptions, curve: DayCurve) -> list[Fault]:
    if options.fault is None:
        return []
    start = options.fault_start_s
    start = options.duration_s / 3 if start is None else start
    duration = options.fault_duration_s or options.duration_s / 2
    return [
        make_fault(
            options.fault,
            options.service,
            start_s=start,
            duration_s=duration,
            curve=curve,
            period_s=max(20.0, duration / 3),
        )
    ]


class _Supervisor:
    """Starts the processes, restarts those that leave early, and ends them all."""

    def __init__(self, configs: dict[str, tuple[str, ProcessConfig]], log_dir: Path):
        self.configs, self.log_dir = configs, log_dir
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.restarts: Counter[str] = Counter()
        self.lock = threading.Lock()

    def spawn(self, name: str) -> None:
        role, config = self.configs[name]
        log = (self.log_dir / f"{name}.log").open("ab")
        with log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "nightcall.demo", role, config.to_json()],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )

    def check(self) -> None:
        """Restart any process that exited before the end of the run."""
        with self.lock:
            for name, process in list(self.processes.items()):
                _, config = self.configs[name]
                if process.poll() is not None and time.time() < config.until_s - 1:
                    if self.restarts[name] >= MAX_RESTARTS:
                        continue
                    self.restarts[name] += 1
                    self.spawn(name)

    def stop(self, wait_s: float) -> None:
        """Let processes finish by themselves for `wait_s`, then terminate, then kill."""
        with self.lock:
            deadline = time.monotonic() + wait_s
            for process in self.processes.values():
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.terminate()
            for process in self.processes.values():
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)


def run_live(options: LiveOptions, *, echo: Callable[[str], None] = lambda _: None) -> LiveResult:
    """Run the shop live against the nightcall server at `options.url`."""
    started = time.monotonic()
    origin_s = time.time() + STARTUP_S
    until_s = origin_s + options.duration_s
    curve = DayCurve(day_s=options.duration_s, mean_rate_per_s=options.mean_rate_per_s)
    faults = plan_faults(options, curve)
    ports = {name: free_port() for name in SERVICE_NAMES}

    def config(name: str, port: int, seed: int) -> ProcessConfig:
        return ProcessConfig(
            name=name,
            port=port,
            ports=ports,
            url=options.url,
            key=options.key,
            dsn=options.dsn or default_dsn(options.url),
            origin_s=origin_s,
            until_s=until_s + SHUTDOWN_GRACE_S,
            day_s=options.duration_s,
            mean_rate_per_s=options.mean_rate_per_s,
            seed=seed,
            faults=ProcessConfig.faults_json(faults),
        )

    configs = {
        name: ("service", config(name, ports[name], options.seed + i))
        for i, name in enumerate(SERVICE_NAMES)
    }
    configs[MOBILE_SERVICE] = ("mobile", config(MOBILE_SERVICE, 0, options.seed))
    log_dir = Path(tempfile.mkdtemp(prefix="nightcall-demo-"))
    supervisor = _Supervisor(configs, log_dir)
    stop = threading.Event()
    try:
        for name in configs:
            supervisor.spawn(name)
        while not all(_listening(p) for p in ports.values()):
            if time.time() > origin_s + 30:
                raise NightcallError(
                    f"the demo services did not start; their logs are in {log_dir}",
                    hint="check that 127.0.0.1 ports can be opened",
                )
            supervisor.check()
            time.sleep(0.2)
        echo(
            f"shop running: {len(ports)} services and the iOS app on 127.0.0.1, "
            f"sending to {options.url}"
        )
        for fault in faults:
            echo(
                f"fault {fault.kind.value} in {fault.service} from +{fault.start_s:.0f}s to "
                f"+{fault.end_s:.0f}s"
            )

        def watch() -> None:
            while not stop.wait(0.5):
                supervisor.check()

        watcher = threading.Thread(target=watch, name="supervisor", daemon=True)
        watcher.start()
        load = run_load(
            f"http://127.0.0.1:{ports['frontend']}",
            curve,
            origin_s=origin_s,
            until_s=until_s,
            seed=options.seed,
            stop=threading.Event(),
        )
        stop.set()
        watcher.join()
        supervisor.stop(wait_s=SHUTDOWN_GRACE_S + 12)
    finally:
        stop.set()
        supervisor.stop(wait_s=0)
    shutil.rmtree(log_dir, ignore_errors=True)
    truth = run_truth(
        mode="live",
        faults=faults,
        origin_ns=int(origin_s * 1e9),
        duration_s=options.duration_s,
        seed=options.seed,
        extra={
            "requests": dict(load.statuses),
            "shed": load.shed,
            "restarts": dict(supervisor.restarts),
        },
    )
    return LiveResult(
        truth=truth, load=load, restarts=supervisor.restarts, wall_s=time.monotonic() - started
    )
