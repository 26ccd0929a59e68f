"""Whole-host readings (CPU, memory, disk, network, PSI) and the points the USE method wants.

`read_system` takes one reading (psutil plus a few /proc files); `system_points` turns two
consecutive readings into points, pure. Utilization and await need two readings, so they are
rates over the interval between them; counters are reported as cumulative totals since boot.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psutil

from nightcall.ingest.host.points import PointBatch
from nightcall.ingest.host.procfs import (
    PRESSURE_RESOURCES,
    parse_key_values,
    parse_loadavg,
    parse_pressure,
    parse_snmp,
    read_proc,
)

Counters = dict[str, float]
_CPU_STATES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
_SKIPPED_DISKS = ("loop", "ram")  # pseudo devices: many, and idle


@dataclass(frozen=True, slots=True)
class SystemReading:
    """One sample of the host's counters, as plain numbers."""

    monotonic_s: float
    cpus: list[Counters]
    cpu_stats: Counters
    memory: Counters
    swap: Counters
    disks: dict[str, Counters]
    nics: dict[str, Counters]
    load: tuple[float, float, float] | None = None
    procs: Counters = field(default_factory=dict)  # procs_running, procs_blocked
    vmstat: Counters = field(default_factory=dict)
    tcp: Counters = field(default_factory=dict)
    pressure: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)


def read_system() -> SystemReading:
    """Read every counter once (psutil, /proc/{loadavg,stat,vmstat,net/snmp,pressure/*})."""
    disks = psutil.disk_io_counters(perdisk=True) or {}
    loadavg = read_proc("loadavg")
    stat = read_proc("stat")
    vmstat = read_proc("vmstat")
    snmp = read_proc("net/snmp")
    pressure = {}
    for resource in PRESSURE_RESOURCES:
        text = read_proc(f"pressure/{resource}")
        if text is not None:
            pressure[resource] = parse_pressure(text)
    procs = {k: float(v) for k, v in parse_key_values(stat or "").items() if k.startswith("procs_")}
    return SystemReading(
        monotonic_s=time.monotonic(),
        cpus=[dict(c._asdict()) for c in psutil.cpu_times(percpu=True)],
        cpu_stats=dict(psutil.cpu_stats()._asdict()),
        memory=dict(psutil.virtual_memory()._asdict()),
        swap=dict(psutil.swap_memory()._asdict()),
        disks={
            name: dict(io._asdict())
            for name, io in disks.items()
            if not name.startswith(_SKIPPED_DISKS)
        },
        nics={name: dict(io._asdict()) for name, io in psutil.net_io_counters(pernic=True).items()},
        load=parse_loadavg(loadavg)[:3] if loadavg else psutil.getloadavg(),
        procs=procs,
        vmstat={k: float(v) for k, v in parse_key_values(vmstat or "").items()},
        tcp={k: float(v) for k, v in parse_snmp(snmp or "").get("Tcp", {}).items()},
        pressure=pressure,
    )


def system_points(batch: PointBatch, before: SystemReading, now: SystemReading) -> None:
    """Add every host-wide point for the interval from `before` to `now`."""
    _cpu(batch, before, now)
    _memory(batch, now)
    _disks(batch, before, now)
    _network(batch, now)
    _pressure(batch, now)


def _cpu(batch: PointBatch, before: SystemReading, now: SystemReading) -> None:
    totals_before: Counters = dict.fromkeys(_CPU_STATES, 0.0)
    totals_now: Counters = dict.fromkeys(_CPU_STATES, 0.0)
    for index, (old, new) in enumerate(zip(before.cpus, now.cpus, strict=False)):
        _utilization(batch, f"cpu{index}", old, new)
        for state in _CPU_STATES:
            totals_before[state] += old.get(state, 0.0)
            totals_now[state] += new.get(state, 0.0)
    _utilization(batch, "total", totals_before, totals_now)
    batch.gauge("system.cpu.logical.count", len(now.cpus), "{cpu}")
    if now.load is not None:
        for window, value in zip(("1m", "5m", "15m"), now.load, strict=True):
            batch.gauge(f"system.cpu.load_average.{window}", value, "{thread}")
    for status in ("running", "blocked"):  # the run queue, and tasks waiting on I/O
        if f"procs_{status}" in now.procs:
            count = now.procs[f"procs_{status}"]
            batch.gauge("system.processes.count", count, "{process}", {"status": status})
    batch.counter("system.cpu.context_switches", now.cpu_stats["ctx_switches"], "{switch}")
    batch.counter("system.cpu.interrupts", now.cpu_stats["interrupts"], "{interrupt}",
                  {"type": "hard"})  # fmt: skip
    batch.counter("system.cpu.interrupts", now.cpu_stats["soft_interrupts"], "{interrupt}",
                  {"type": "soft"})  # fmt: skip


def _utilization(batch: PointBatch, cpu: str, old: Counters, new: Counters) -> None:
    deltas = {state: max(0.0, new.get(state, 0.0) - old.get(state, 0.0)) for state in _CPU_STATES}
    elapsed = sum(deltas.values())
    if elapsed <= 0:
        return
    for state, delta in deltas.items():
        if state in new:
            batch.gauge("system.cpu.utilization", delta / elapsed, "1",
                        {"cpu": cpu, "state": state})  # fmt: skip


def _memory(batch: PointBatch, now: SystemReading) -> None:
    memory, total = now.memory, now.memory["total"] or 1.0
    states = {"used": "used", "free": "free", "buffers": "buffers", "cached": "cached"}
    for state, key in states.items():
        if key in memory:
            batch.gauge("system.memory.usage", memory[key], "By", {"state": state})
            batch.gauge("system.memory.utilization", memory[key] / total, "1", {"state": state})
    batch.gauge("system.memory.limit", memory["total"], "By")
    batch.gauge("system.linux.memory.available", memory["available"], "By")
    swap, swap_total = now.swap, now.swap["total"]
    for state in ("used", "free"):
        batch.gauge("system.paging.usage", swap[state], "By", {"state": state})
        if swap_total:
            batch.gauge("system.paging.utilization", swap[state] / swap_total, "1",
                        {"state": state})  # fmt: skip
    vm = now.vmstat
    if "pgfault" in vm and "pgmajfault" in vm:
        major, minor = vm["pgmajfault"], vm["pgfault"] - vm["pgmajfault"]
        batch.counter("system.paging.faults", major, "{fault}", {"type": "major"})
        batch.counter("system.paging.faults", minor, "{fault}", {"type": "minor"})
    for direction, key in (("in", "pswpin"), ("out", "pswpout")):
        if key in vm:
            batch.counter("system.paging.operations", vm[key], "{operation}",
                          {"direction": direction})  # fmt: skip


def _disks(batch: PointBatch, before: SystemReading, now: SystemReading) -> None:
    elapsed_s = now.monotonic_s - before.monotonic_s
    for device, io in now.disks.items():
        for direction in ("read", "write"):
            labels = {"device": device, "direction": direction}
            batch.counter("system.disk.io", io[f"{direction}_bytes"], "By", labels)
            batch.counter("system.disk.operations", io[f"{direction}_count"], "{operation}",
                          labels)  # fmt: skip
            batch.counter("system.disk.operation_time", io[f"{direction}_time"] / 1000, "s",
                          labels)  # fmt: skip
        if "busy_time" in io:
            batch.counter("system.disk.io_time", io["busy_time"] / 1000, "s", {"device": device})
        old = before.disks.get(device)
        if old is None or elapsed_s <= 0:
            continue
        busy_s = (io.get("busy_time", 0.0) - old.get("busy_time", 0.0)) / 1000
        batch.gauge("system.disk.utilization", min(1.0, max(0.0, busy_s / elapsed_s)), "1",
                    {"device": device})  # fmt: skip
        operations = sum(io[f"{d}_count"] - old[f"{d}_count"] for d in ("read", "write"))
        waited_ms = sum(io[f"{d}_time"] - old[f"{d}_time"] for d in ("read", "write"))
        batch.gauge("system.disk.await", waited_ms / 1000 / operations if operations > 0 else 0.0,
                    "s", {"device": device})  # fmt: skip


def _network(batch: PointBatch, now: SystemReading) -> None:
    fields = {
        "system.network.io": ("bytes_recv", "bytes_sent", "By"),
        "system.network.packets": ("packets_recv", "packets_sent", "{packet}"),
        "system.network.errors": ("errin", "errout", "{error}"),
        "system.network.dropped": ("dropin", "dropout", "{packet}"),
    }
    for device, io in now.nics.items():
        for name, (received, transmitted, unit) in fields.items():
            batch.counter(name, io[received], unit, {"device": device, "direction": "receive"})
            batch.counter(name, io[transmitted], unit,
                          {"device": device, "direction": "transmit"})  # fmt: skip
    if "RetransSegs" in now.tcp:
        batch.counter("system.network.tcp.retransmits", now.tcp["RetransSegs"], "{segment}")


def _pressure(batch: PointBatch, now: SystemReading) -> None:
    for resource, kinds in now.pressure.items():
        for kind, values in kinds.items():
            labels = {"resource": resource, "type": kind}
            for window in ("avg10", "avg60"):
                if window in values:
                    batch.gauge(f"system.pressure.stall.{window}", values[window], "%", labels)
            if "total" in values:
                batch.counter("system.pressure.stall.time", values["total"] / 1e6, "s", labels)
