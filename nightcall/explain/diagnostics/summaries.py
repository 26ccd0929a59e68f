"""One-line summaries and key numbers read from the output of the catalogue's commands.

Each summarizer takes the bounded text a command printed and returns what a person reads
first plus the numbers worth keeping as evidence. They never fail on output they do not
recognise (another version of the tool, a truncated excerpt): they say less.
"""

from __future__ import annotations

import re

from nightcall.explain.diagnostics.record import Fact

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


def summarize_vmstat(output: str) -> tuple[str, dict[str, Fact]]:
    """The last `vmstat` sample: run queue, blocked, swap in/out, CPU user/system/idle/wait."""
    lines = _lines(output)
    header = next((line.split() for line in lines if line.split()[:2] == ["r", "b"]), None)
    samples = [line.split() for line in lines if all(_NUMBER.fullmatch(f) for f in line.split())]
    if header is None or not samples or len(samples[-1]) != len(header):
        return f"vmstat printed {len(lines)} lines", {}
    last = dict(zip(header, samples[-1], strict=True))
    facts: dict[str, Fact] = {
        key: float(last[key])
        for key in ("r", "b", "si", "so", "us", "sy", "id", "wa")
        if key in last
    }
    summary = (
        f"run queue {last.get('r', '?')}, blocked {last.get('b', '?')}, swap in/out "
        f"{last.get('si', '?')}/{last.get('so', '?')}, CPU user {last.get('us', '?')}% "
        f"system {last.get('sy', '?')}% idle {last.get('id', '?')}% "
        f"iowait {last.get('wa', '?')}%"
    )
    return summary, facts


def summarize_iostat(output: str) -> tuple[str, dict[str, Fact]]:
    """The busiest device of the last `iostat -x` report, by %util."""
    lines = _lines(output)
    starts = [i for i, line in enumerate(lines) if line.startswith("Device")]
    if not starts:
        return f"iostat printed {len(lines)} lines", {}
    header = lines[starts[-1]].split()
    devices = [line.split() for line in lines[starts[-1] + 1 :] if len(line.split()) == len(header)]
    if "%util" not in header or not devices:
        return "iostat reported no devices", {}
    column = header.index("%util")
    busiest = max(devices, key=lambda row: float(row[column]))
    facts: dict[str, Fact] = {f"{row[0]}_util_percent": float(row[column]) for row in devices}
    return f"busiest device {busiest[0]} at {busiest[column]}% utilization", facts


def summarize_py_spy_dump(output: str) -> tuple[str, dict[str, Fact]]:
    """How many threads the dump shows, how many are active, and the top frame of the first."""
    threads = [line for line in output.splitlines() if line.startswith("Thread ")]
    active = [line for line in threads if "(active" in line]
    frames = [line.strip() for line in output.splitlines() if line.startswith("    ")]
    summary = f"{len(threads)} threads, {len(active)} active"
    if frames:
        summary += f"; first frame: {frames[0]}"
    return summary, {"threads": len(threads), "active_threads": len(active)}


def summarize_oom_kills(output: str) -> tuple[str, dict[str, Fact]]:
    """The OOM-killer lines kept from the kernel log, and the last process it killed."""
    lines = _lines(output)
    kills = [line for line in lines if re.search(r"killed process", line, re.IGNORECASE)]
    if not lines:
        return "no out-of-memory kills in the kernel log", {"oom_kills": 0}
    summary = f"{len(kills)} OOM kills in the kernel log"
    if kills:
        summary += f"; last: {kills[-1].strip()[:160]}"
    return summary, {"oom_kills": len(kills), "oom_lines": len(lines)}


def summarize_perf_report(output: str) -> tuple[str, dict[str, Fact]]:
    """The hottest symbol of a `perf report --stdio`."""
    rows = [
        line.split()
        for line in output.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    rows = [row for row in rows if row and row[0].endswith("%")]
    if not rows:
        return "perf recorded no samples", {"samples_rows": 0}
    top = rows[0]
    return f"hottest: {' '.join(top[1:])[:160]} ({top[0]})", {"top_percent": float(top[0][:-1])}


def summarize_scheduled_jobs(output: str) -> tuple[str, dict[str, Fact]]:
    """How many timers and crontab entries were listed."""
    lines = _lines(output)
    timers = [line for line in lines if line.rstrip().endswith(".service")]
    crontab = [
        line for line in lines if line[:1] in set("0123456789*@") and not line.startswith("#")
    ]
    summary = f"{len(timers)} systemd timers, {len(crontab)} crontab entries"
    return summary, {"timers": len(timers), "crontab_entries": len(crontab)}


def summarize_py_spy_record(output: str) -> tuple[str, dict[str, Fact]]:
    """The sample count py-spy reports after writing its flame graph."""
    match = re.search(r"Samples:\s*([0-9]+)", output)
    errors = re.search(r"Errors:\s*([0-9]+)", output)
    if match is None:
        return "py-spy wrote a flame graph", {}
    facts: dict[str, Fact] = {"samples": int(match.group(1))}
    if errors is not None:
        facts["errors"] = int(errors.group(1))
    return f"flame graph of {match.group(1)} samples", facts
