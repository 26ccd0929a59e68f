"""Linux /proc files psutil does not cover: parsers of their text, and a reader that may fail.

The parsers are pure (text in, numbers out) so they are tested on fixed text; `read_proc` returns
None where a file is missing or unreadable (another kernel, a container, another OS), and the
collector then leaves those metrics out rather than reporting zeros.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")
PRESSURE_RESOURCES = ("cpu", "memory", "io")


def read_proc(relative: str, *, root: Path = PROC) -> str | None:
    """The text of /proc/`relative`, or None when it cannot be read."""
    try:
        return (root / relative).read_text()
    except OSError:
        return None


def parse_loadavg(text: str) -> tuple[float, float, float, int, int]:
    """/proc/loadavg → load 1m, 5m, 15m, runnable tasks, total tasks."""
    fields = text.split()
    running, _, total = fields[3].partition("/")
    return float(fields[0]), float(fields[1]), float(fields[2]), int(running), int(total)


def parse_key_values(text: str) -> dict[str, int]:
    """Lines of `name value...` (/proc/vmstat, /proc/stat) → name: first value."""
    values = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1].lstrip("-").isdigit():
            values[fields[0]] = int(fields[1])
    return values


def parse_snmp(text: str) -> dict[str, dict[str, int]]:
    """/proc/net/snmp (header line, value line per protocol) → protocol: field: value."""
    tables: dict[str, dict[str, int]] = {}
    lines = [line.split() for line in text.splitlines() if line.strip()]
    for header, values in zip(lines[::2], lines[1::2], strict=False):
        if not header or header[0] != values[0]:
            continue
        tables[header[0].rstrip(":")] = {
            name: int(value)
            for name, value in zip(header[1:], values[1:], strict=False)
            if value.lstrip("-").isdigit()
        }
    return tables


def parse_pressure(text: str) -> dict[str, dict[str, float]]:
    """/proc/pressure/<resource> → `some`/`full`: avg10, avg60, avg300 (%) and total (µs)."""
    result = {}
    for line in text.splitlines():
        kind, *pairs = line.split()
        if kind not in ("some", "full"):
            continue
        result[kind] = {
            key: float(value) for key, _, value in (pair.partition("=") for pair in pairs) if value
        }
    return result
