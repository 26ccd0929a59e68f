"""Host probes read from this machine's /proc and psutil counters."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from nightcall.explain.diagnostics.probes_host import (
    interface_errors,
    load_average,
    meminfo,
    memory_pressure,
    socket_summary,
    tcp_retransmits,
)

LINUX_ONLY = pytest.mark.skipif(not Path("/proc/net/snmp").exists(), reason="Linux /proc")


def test_load_average_against_cpus() -> None:
    """Load is read with the CPU count and the run queue."""
    found = load_average({})
    assert int(found.facts["cpus"]) >= 1
    assert found.summary.startswith("load ")


def test_meminfo_reads_available_memory() -> None:
    """Available memory is at most the total and reported in the summary."""
    found = meminfo({})
    assert 0 < int(found.facts["available_bytes"]) <= int(found.facts["total_bytes"])
    assert "GiB available" in found.summary


@pytest.mark.skipif(not Path("/proc/pressure/memory").exists(), reason="kernel without PSI")
def test_memory_pressure_reads_psi() -> None:
    """PSI averages for memory are read as percentages of time stalled."""
    found = memory_pressure({})
    assert 0 <= float(found.facts["memory_some_avg10"]) <= 100


@LINUX_ONLY
def test_tcp_retransmits_counts_segments_sent() -> None:
    """Segments sent over the window are counted (a loopback connection sends some)."""
    listener = socket.create_server(("127.0.0.1", 0))
    with listener, socket.create_connection(listener.getsockname()) as client:
        server, _ = listener.accept()
        with server:
            client.sendall(b"x")
            found = tcp_retransmits({"duration_s": 0.2})
    assert int(found.facts["segments_sent"]) >= 0
    assert "TCP segments retransmitted" in found.summary


def test_interface_errors_lists_loopback() -> None:
    """Every interface is listed, loopback included, with new errors over the window."""
    found = interface_errors({"duration_s": 0.1})
    assert "lo" in found.text or "lo0" in found.text
    assert int(found.facts["new_errors_dropped"]) >= 0


def test_socket_summary_counts_a_listening_socket() -> None:
    """A socket this process listens on is counted in its TCP LISTEN state."""
    with socket.create_server(("127.0.0.1", 0)):
        found = socket_summary({"pid": os.getpid()})
    assert int(found.facts["tcp_listen"]) >= 1
