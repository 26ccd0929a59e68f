"""Process probes, read with psutil from this test's own process and a child it starts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nightcall.explain.diagnostics import NotAvailable
from nightcall.explain.diagnostics.probes_process import (
    context_switches,
    cpu_by_process,
    memory_by_process,
    open_files,
    process_status,
)


@pytest.fixture
def busy_child() -> Iterator[int]:
    """A child Python that spins on one CPU until the test ends."""
    child = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield child.pid
    child.kill()
    child.wait()


def test_cpu_by_process_finds_a_spinning_process(busy_child: int) -> None:
    """A process burning a CPU shows a large share of one CPU, and its threads are listed."""
    found = cpu_by_process({"pid": busy_child, "duration_s": 0.5})
    # Far above an idle process even when other work shares the two cores.
    assert float(found.facts["pid_cpu_percent"]) > 25
    assert f"threads of {busy_child}" in found.text
    assert f"pid {busy_child}" in found.summary


def test_memory_by_process_reports_this_process() -> None:
    """This process's resident and unique memory are reported beside the host's."""
    found = memory_by_process({"pid": os.getpid()})
    assert int(found.facts["pid_rss_bytes"]) > 10 * 2**20
    assert int(found.facts["host_available_bytes"]) > 0
    assert found.summary.startswith("host memory ")


def test_open_files_counts_descriptors_against_the_limit(tmp_path: Path) -> None:
    """A file this process opens appears, and descriptors are counted against the soft limit."""
    path = f"{tmp_path}/held-open.txt"
    with open(path, "w") as handle:
        found = open_files({"pid": os.getpid()})
        assert path in found.text
        assert int(found.facts["fds"]) > handle.fileno()
        assert int(found.facts["fd_limit"]) > 0


def test_process_status_of_an_exited_process_is_not_available() -> None:
    """A process that has gone is "not available", with the reason, not a crash."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with pytest.raises(NotAvailable, match=f"process {child.pid}"):
        process_status({"pid": child.pid})


def test_context_switches_rates_this_process() -> None:
    """Context switches are given per second for the process and the host."""
    found = context_switches({"pid": os.getpid(), "duration_s": 0.2})
    assert float(found.facts["host_per_s"]) > 0
    assert "voluntary" in found.summary
