"""Parsers of the /proc files psutil does not cover, on fixed text."""

from __future__ import annotations

from pathlib import Path

from nightcall.ingest.host.procfs import (
    parse_key_values,
    parse_loadavg,
    parse_pressure,
    parse_snmp,
    read_proc,
)


def test_loadavg_gives_loads_and_the_run_queue() -> None:
    """/proc/loadavg: three load averages, then runnable/total tasks."""
    assert parse_loadavg("0.52 0.31 0.12 3/412 9876\n") == (0.52, 0.31, 0.12, 3, 412)


def test_key_values_read_vmstat_and_stat_lines() -> None:
    """`name value` lines become a map; lines with non-numeric values are skipped."""
    text = "pgfault 4813408\npgmajfault 3632\ncpu  1 2 3\nbtime x\n"
    assert parse_key_values(text) == {"pgfault": 4813408, "pgmajfault": 3632, "cpu": 1}


def test_snmp_pairs_header_and_value_lines() -> None:
    """/proc/net/snmp: each protocol's header line names the next line's values."""
    text = (
        "Ip: Forwarding DefaultTTL\nIp: 1 64\n"
        "Tcp: RtoAlgorithm ActiveOpens RetransSegs MaxConn\nTcp: 1 403 17 -1\n"
    )
    assert parse_snmp(text)["Tcp"] == {"RtoAlgorithm": 1, "ActiveOpens": 403, "RetransSegs": 17,
                                       "MaxConn": -1}  # fmt: skip


def test_pressure_reads_some_and_full() -> None:
    """/proc/pressure/*: averages in percent and the total stall in microseconds."""
    text = (
        "some avg10=1.50 avg60=0.75 avg300=0.10 total=13887948\n"
        "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
    )
    parsed = parse_pressure(text)
    assert parsed["some"] == {"avg10": 1.5, "avg60": 0.75, "avg300": 0.1, "total": 13887948.0}
    assert parsed["full"]["total"] == 0.0


def test_missing_files_read_as_none(tmp_path: Path) -> None:
    """A file the kernel does not have is None, not an error."""
    assert read_proc("pressure/cpu", root=tmp_path) is None
    (tmp_path / "loadavg").write_text("1 2 3 1/2 3\n")
    assert read_proc("loadavg", root=tmp_path) == "1 2 3 1/2 3\n"
