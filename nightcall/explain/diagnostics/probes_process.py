"""Process diagnostics read with psutil, without a subprocess: CPU, memory, status, files, switches.

psutil reads the same kernel counters `top`, `ps`, `ls /proc/PID/fd` and `pidstat -w` print,
on Linux, macOS, the BSDs and Windows alike, and it cannot be talked into running anything.
A process this user may not inspect gives "not available", with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import psutil

from nightcall.explain.diagnostics.params import Params
from nightcall.explain.diagnostics.record import Fact, NotAvailable, ProbeOutput

TOP = 10  # processes listed by the "by process" probes
MAX_FILES = 50  # open files listed by open_files


@contextmanager
def _process_errors(pid: int) -> Iterator[None]:
    """psutil's refusals as "not available" results."""
    try:
        yield
    except psutil.NoSuchProcess:
        raise NotAvailable(f"process {pid} exited while it was being read") from None
    except psutil.AccessDenied:
        raise NotAvailable(
            f"reading process {pid} was refused: run nightcall as its user or as root"
        ) from None


def _mib(value: float) -> str:
    return f"{value / 2**20:,.1f} MiB"


def _top_table(rows: list[tuple[int, str, str]], header: str) -> str:
    lines = [f"{'PID':>8}  {header:>12}  NAME"]
    lines += [f"{pid:>8}  {value:>12}  {name}" for pid, value, name in rows]
    return "\n".join(lines)


def cpu_by_process(params: Params) -> ProbeOutput:
    """The processes using the most CPU over `duration_s`, like `top` sorted by %CPU."""
    interval = float(params["duration_s"])
    processes = list(psutil.process_iter(["pid", "name"]))
    for process in processes:
        try:
            process.cpu_percent(None)  # the baseline the second call rates against
        except psutil.Error:
            continue
    time.sleep(interval)
    rates: list[tuple[float, int, str]] = []
    for process in processes:
        try:
            rates.append((process.cpu_percent(None), process.pid, process.info["name"] or ""))
        except psutil.Error:
            continue
    rates.sort(key=lambda row: -row[0])
    cpus = psutil.cpu_count() or 1
    total = psutil.cpu_percent(None)
    facts: dict[str, Fact] = {"cpus": cpus, "host_cpu_percent": total}
    text = _top_table([(pid, f"{rate:.1f}%", name) for rate, pid, name in rates[:TOP]], "CPU")
    if "pid" in params:
        pid = int(params["pid"])
        mine = next((rate for rate, p, _ in rates if p == pid), 0.0)
        facts["pid_cpu_percent"] = mine
        with _process_errors(pid):
            threads = psutil.Process(pid).threads()
        busiest = sorted(threads, key=lambda t: -(t.user_time + t.system_time))[:TOP]
        text += f"\n\nthreads of {pid} by CPU seconds since start:\n"
        text += "\n".join(
            f"  tid {t.id:>8}  {t.user_time + t.system_time:10.2f} s" for t in busiest
        )
    top = rates[0] if rates else (0.0, 0, "?")
    summary = f"top CPU: {top[2]} (pid {top[1]}) {top[0]:.0f}% of one CPU; {cpus} CPUs"
    if "pid" in params:
        summary += f"; pid {params['pid']} {facts['pid_cpu_percent']:.0f}%"
    return ProbeOutput(text=text, summary=summary, facts=facts)


def memory_by_process(params: Params) -> ProbeOutput:
    """The processes with the most resident memory, like `ps aux --sort=-rss`."""
    rows: list[tuple[int, int, str]] = []
    for process in psutil.process_iter(["pid", "name", "memory_info"]):
        memory = process.info.get("memory_info")
        if memory is not None:
            rows.append((memory.rss, process.info["pid"], process.info["name"] or ""))
    rows.sort(key=lambda row: -row[0])
    memory = psutil.virtual_memory()
    facts: dict[str, Fact] = {
        "host_available_bytes": memory.available,
        "host_used_percent": memory.percent,
    }
    text = _top_table([(pid, _mib(rss), name) for rss, pid, name in rows[:TOP]], "RSS")
    summary = f"host memory {memory.percent:.0f}% used, {_mib(memory.available)} available"
    if "pid" in params:
        pid = int(params["pid"])
        with _process_errors(pid):
            process = psutil.Process(pid)
            info = process.memory_info()
            try:
                unique: int | None = process.memory_full_info().uss
            except psutil.AccessDenied:
                unique = None
        facts |= {"pid_rss_bytes": info.rss, "pid_vms_bytes": info.vms}
        line = f"pid {pid}: rss {_mib(info.rss)}, vms {_mib(info.vms)}"
        if unique is not None:
            facts["pid_uss_bytes"] = unique
            line += f", uss {_mib(unique)}"
        text += "\n\n" + line
        summary += f"; {line}"
    elif rows:
        summary += f"; largest {rows[0][2]} (pid {rows[0][1]}) {_mib(rows[0][0])}"
    return ProbeOutput(text=text, summary=summary, facts=facts)


def process_status(params: Params) -> ProbeOutput:
    """One process's state, age, command line, threads, memory, CPU time and children."""
    pid = int(params["pid"])
    with _process_errors(pid):
        process = psutil.Process(pid)
        with process.oneshot():
            status = process.status()
            started = process.create_time()
            command = " ".join(process.cmdline())[:1024] or process.name()
            threads = process.num_threads()
            rss = process.memory_info().rss
            cpu = process.cpu_times()
            children = len(process.children())
    age_s = max(0.0, time.time() - started)
    facts: dict[str, Fact] = {
        "status": status,
        "uptime_s": round(age_s, 1),
        "threads": threads,
        "rss_bytes": rss,
        "cpu_user_s": cpu.user,
        "cpu_system_s": cpu.system,
        "children": children,
    }
    text = "\n".join(
        f"{key:>12}: {value}" for key, value in {"pid": pid, "command": command, **facts}.items()
    )
    summary = (
        f"pid {pid} {status}, up {age_s / 60:.1f} min, {threads} threads, "
        f"rss {_mib(rss)}, cpu {cpu.user + cpu.system:.1f} s"
    )
    return ProbeOutput(text=text, summary=summary, facts=facts)


def open_files(params: Params) -> ProbeOutput:
    """One process's file descriptors against its limit, its open files and its sockets."""
    pid = int(params["pid"])
    with _process_errors(pid):
        process = psutil.Process(pid)
        files = process.open_files()
        descriptors = process.num_fds() if hasattr(process, "num_fds") else len(files)
        sockets = process.net_connections(kind="inet")
        soft_limit = (
            process.rlimit(psutil.RLIMIT_NOFILE)[0] if hasattr(psutil, "RLIMIT_NOFILE") else -1
        )
    states: dict[str, int] = {}
    for connection in sockets:
        states[connection.status] = states.get(connection.status, 0) + 1
    facts: dict[str, Fact] = {
        "fds": descriptors,
        "fd_limit": soft_limit,
        "files": len(files),
        "sockets": len(sockets),
    }
    for state, count in sorted(states.items()):
        facts[f"sockets_{state.lower()}"] = count
    lines = [
        f"{descriptors} descriptors (limit {soft_limit}), {len(files)} files, "
        f"{len(sockets)} inet sockets: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items()))
    ]
    lines += [f"  fd {f.fd:>5}  {f.path}" for f in files[:MAX_FILES]]
    if len(files) > MAX_FILES:
        lines.append(f"  ... and {len(files) - MAX_FILES} more")
    used = f" ({100 * descriptors / soft_limit:.0f}% of {soft_limit})" if soft_limit > 0 else ""
    summary = f"pid {pid}: {descriptors} descriptors{used}, {len(sockets)} sockets"
    return ProbeOutput(text="\n".join(lines), summary=summary, facts=facts)


def context_switches(params: Params) -> ProbeOutput:
    """Context switches per second of one process and of the host, like `pidstat -w`."""
    pid = int(params["pid"])
    interval = float(params["duration_s"])
    with _process_errors(pid):
        process = psutil.Process(pid)
        before, host_before = process.num_ctx_switches(), psutil.cpu_stats().ctx_switches
        time.sleep(interval)
        after, host_after = process.num_ctx_switches(), psutil.cpu_stats().ctx_switches
        threads = process.num_threads()
    voluntary = (after.voluntary - before.voluntary) / interval
    involuntary = (after.involuntary - before.involuntary) / interval
    host = (host_after - host_before) / interval
    facts: dict[str, Fact] = {
        "voluntary_per_s": round(voluntary, 1),
        "threads": threads,
        "involuntary_per_s": round(involuntary, 1),
        "host_per_s": round(host, 1),
    }
    text = "\n".join(f"{key:>18}: {value}" for key, value in facts.items())
    summary = (
        f"pid {pid}: {voluntary:,.0f} voluntary + {involuntary:,.0f} involuntary "
        f"switches/s over {threads} threads; host {host:,.0f}/s"
    )
    return ProbeOutput(text=text, summary=summary, facts=facts)
