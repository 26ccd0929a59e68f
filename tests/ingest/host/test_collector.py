"""The host collector: every USE family, alone and inside a server, and the top processes."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from nightcall.ingest.host import HostCollector
from nightcall.ingest.host.collector import METRIC_FAMILIES
from tests.conftest import RunningServer

# Grows to ~240 MB in 20 MB steps, then waits to be killed.
GROWING_CHILD = """
import sys, time
held = []
for _ in range(12):
    held.append(bytearray(20 * 1024 * 1024))
    time.sleep(0.05)
sys.stdout.write("ready\\n")
sys.stdout.flush()
time.sleep(600)
"""


def expected_families() -> set[str]:
    """The families this host can report (no swap, no PSI, no SNMP: those are left out)."""
    families = set(METRIC_FAMILIES)
    if psutil.swap_memory().total == 0:
        families.discard("system.paging.utilization")
    if not Path("/proc/pressure/cpu").exists():
        families -= {f for f in families if f.startswith("system.pressure.")}
    if not Path("/proc/net/snmp").exists():
        families.discard("system.network.tcp.retransmits")
    if not Path("/proc/vmstat").exists():
        families -= {"system.paging.faults", "system.paging.operations"}
    return families


@pytest.fixture
def growing_child() -> Iterator[subprocess.Popen[str]]:
    """A child process holding a growing allocation of about 240 MB."""
    child = subprocess.Popen(
        [sys.executable, "-c", GROWING_CHILD], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    yield child
    child.kill()
    child.wait()
    child.stdout.close()


def test_collections_report_every_family_with_host_name() -> None:
    """Two collections report every family this host has, on a resource with host.name."""
    collector = HostCollector(top_processes=3, host_name="test-host")
    collector.collect(now_ns=time.time_ns())
    points = collector.collect(now_ns=time.time_ns())
    assert expected_families() <= {p.name for p in points}
    assert {p.resource.attributes["host.name"] for p in points} == {"test-host"}
    cpu = [p for p in points if p.name == "system.cpu.utilization"]
    states = {p.attributes["state"] for p in cpu}
    assert {"user", "system", "idle", "iowait", "steal"} <= states
    assert {p.attributes["cpu"] for p in cpu} >= {"total", "cpu0"}


def test_server_stores_every_family_and_the_growing_process(
    make_server: Callable[..., RunningServer], growing_child: subprocess.Popen[str]
) -> None:
    """`collect_host` stores each family; the child with a large allocation is in the top list."""
    server = make_server(collect_host=True, host_interval_s=0.3, host_top_processes=5,
                         statsd_port=0)  # fmt: skip
    expected = expected_families()
    deadline = time.monotonic() + 60
    names: set[str] = set()
    pids: list[str] = []
    while time.monotonic() < deadline:
        listing = httpx.get(f"{server.url}/api/v1/metrics", params={"start": "-10m"}).json()
        names = {m["name"] for m in listing["metrics"]}
        if "process.memory.usage" in names:
            found = httpx.get(
                f"{server.url}/api/v1/metrics/process.memory.usage/series",
                params={"start": "-10m", "group_by": "process.pid", "agg": "max", "step": "1200"},
            ).json()
            pids = [s["labels"][0] for s in found["series"]]
            if expected <= names and str(growing_child.pid) in pids:
                break
        time.sleep(0.2)
    assert sorted(expected - names) == []
    assert str(growing_child.pid) in pids
    child = next(s for s in found["series"] if s["labels"] == [str(growing_child.pid)])
    assert child["points"][0]["value"] > 200 * 1024 * 1024
