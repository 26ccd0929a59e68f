"""`HostCollector`: one call, one set of USE-method points for this host.

    collector = HostCollector(top_processes=10)
    points = collector.collect(now_ns=time.time_ns())   # every interval

Utilization, saturation and errors for CPU, memory, disks and network interfaces, the top
processes, and pressure stall information where the kernel has it, under the OpenTelemetry
semantic-convention names, on a resource with `host.name`.
"""

from __future__ import annotations

import platform
import socket

import psutil

from nightcall.ingest.host.points import PointBatch
from nightcall.ingest.host.processes import ProcessTracker
from nightcall.ingest.host.system import read_system, system_points
from nightcall.ingest.metric_points import MetricPoint, MetricResource

HOST_SERVICE = "host"
# Every family the collector reports on Linux (PSI and TCP retransmits only where readable).
METRIC_FAMILIES = (
    "system.cpu.utilization", "system.cpu.logical.count", "system.cpu.load_average.1m",
    "system.cpu.load_average.5m", "system.cpu.load_average.15m", "system.processes.count",
    "system.cpu.context_switches", "system.cpu.interrupts",
    "system.memory.usage", "system.memory.utilization", "system.memory.limit",
    "system.linux.memory.available", "system.paging.usage", "system.paging.utilization",
    "system.paging.faults", "system.paging.operations",
    "system.disk.io", "system.disk.operations", "system.disk.operation_time",
    "system.disk.io_time", "system.disk.utilization", "system.disk.await",
    "system.network.io", "system.network.packets", "system.network.errors",
    "system.network.dropped", "system.network.tcp.retransmits",
    "system.pressure.stall.avg10", "system.pressure.stall.avg60", "system.pressure.stall.time",
    "process.cpu.utilization", "process.memory.usage", "process.memory.virtual",
    "process.thread.count", "process.open_file_descriptor.count",
)  # fmt: skip


def host_resource(host_name: str | None = None) -> MetricResource:
    """The resource host metrics are reported under."""
    name = host_name or socket.gethostname()
    return MetricResource(
        service=HOST_SERVICE,
        attributes={
            "service.name": HOST_SERVICE,
            "host.name": name,
            "os.type": platform.system().lower(),
            "host.arch": platform.machine(),
        },
        scope_name="nightcall.host",
    )


class HostCollector:
    """Keeps the previous reading, so each collection reports rates over its interval."""

    def __init__(self, *, top_processes: int = 10, host_name: str | None = None):
        self.resource = host_resource(host_name)
        self.boot_ns = int(psutil.boot_time() * 1e9)
        self.processes = ProcessTracker(top=top_processes)
        self._previous = read_system()

    def collect(self, *, now_ns: int) -> list[MetricPoint]:
        """Read the host once and return its points."""
        batch = PointBatch(resource=self.resource, time_ns=now_ns, start_ns=self.boot_ns)
        current = read_system()
        system_points(batch, self._previous, current)
        self._previous = current
        self.processes.collect(batch)
        return batch.points
