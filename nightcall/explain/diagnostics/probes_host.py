"""Host diagnostics read from the kernel's own files and counters, without a subprocess.

`/proc/loadavg`, `/proc/meminfo`, `/proc/pressure/*` and `/proc/net/snmp` are what `uptime`,
`free`, PSI tools and `nstat` read; reading them here needs no tool, no root and no history file
(`nstat` writes one). Where psutil has a portable reading (load, memory, interfaces, sockets) it
is used, so these work beyond Linux; a file the kernel lacks gives "not available".
"""

from __future__ import annotations

import itertools
import socket
import time
from pathlib import Path

import psutil

from nightcall.explain.diagnostics.params import Params
from nightcall.explain.diagnostics.record import Fact, NotAvailable, ProbeOutput

PROC = Path("/proc")
_KINDS = {socket.SOCK_STREAM: "tcp", socket.SOCK_DGRAM: "udp"}


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        raise NotAvailable(f"{path} does not exist: this kernel does not report {what}") from None
    except PermissionError:
        raise NotAvailable(f"reading {path} was refused: run nightcall as root") from None


def load_average(params: Params) -> ProbeOutput:
    """Load over 1, 5 and 15 minutes against the CPU count, with the run queue where known."""
    one, five, fifteen = psutil.getloadavg()
    cpus = psutil.cpu_count() or 1
    facts: dict[str, Fact] = {"load_1m": one, "load_5m": five, "load_15m": fifteen, "cpus": cpus}
    loadavg = PROC / "loadavg"
    if loadavg.exists():
        running, _, total = loadavg.read_text().split()[3].partition("/")
        facts |= {"runnable": int(running), "threads": int(total)}
    text = "\n".join(f"{key:>9}: {value}" for key, value in facts.items())
    per_cpu = one / cpus
    verdict = "saturated" if per_cpu > 1 else "busy" if per_cpu > 0.7 else "not saturated"
    summary = f"load {one:.2f} {five:.2f} {fifteen:.2f} on {cpus} CPUs: {verdict}"
    return ProbeOutput(text=text, summary=summary, facts=facts)


def meminfo(params: Params) -> ProbeOutput:
    """/proc/meminfo (or psutil's reading elsewhere), with available memory and swap in use."""
    path = PROC / "meminfo"
    if path.exists():
        text = _read(path, "memory")
        values = {}
        for line in text.splitlines():
            key, _, rest = line.partition(":")
            number = rest.split()
            if number and number[0].isdigit():
                scale = 1024 if rest.strip().endswith("kB") else 1
                values[key] = int(number[0]) * scale
        total, available = values.get("MemTotal", 0), values.get("MemAvailable", 0)
        swap_used = values.get("SwapTotal", 0) - values.get("SwapFree", 0)
    else:
        memory, swap = psutil.virtual_memory(), psutil.swap_memory()
        total, available, swap_used = memory.total, memory.available, swap.used
        text = f"MemTotal: {total}\nMemAvailable: {available}\nSwapUsed: {swap_used}"
    facts: dict[str, Fact] = {
        "total_bytes": total,
        "available_bytes": available,
        "swap_used_bytes": swap_used,
    }
    share = 100 * available / total if total else 0.0
    summary = (
        f"{available / 2**30:.2f} GiB of {total / 2**30:.2f} GiB available ({share:.0f}%),"
        f" {swap_used / 2**20:.0f} MiB swap in use"
    )
    return ProbeOutput(text=text, summary=summary, facts=facts)


def memory_pressure(params: Params) -> ProbeOutput:
    """Pressure stall information for memory (and CPU, I/O): the share of time tasks waited."""
    text = _read(PROC / "pressure" / "memory", "pressure stall information (PSI)")
    facts: dict[str, Fact] = {}
    for line in text.splitlines():
        kind, *fields = line.split()
        for item in fields:
            key, _, value = item.partition("=")
            if key.startswith("avg"):
                facts[f"memory_{kind}_{key}"] = float(value)
    for resource in ("cpu", "io"):
        other = PROC / "pressure" / resource
        if other.exists():
            text += f"\n{resource}:\n" + other.read_text()
    some, full = facts.get("memory_some_avg10", 0.0), facts.get("memory_full_avg10", 0.0)
    summary = f"memory pressure over 10 s: some {some:.1f}%, full {full:.1f}% of time stalled"
    return ProbeOutput(text=text.strip(), summary=summary, facts=facts)


def _tcp_counters() -> dict[str, int]:
    lines = [line.split() for line in _read(PROC / "net" / "snmp", "TCP counters").splitlines()]
    for names, values in itertools.pairwise(lines):
        if names and names[0] == "Tcp:" and values[0] == "Tcp:" and not values[1].isalpha():
            return {n: int(v) for n, v in zip(names[1:], values[1:], strict=True)}
    raise NotAvailable("/proc/net/snmp has no Tcp counters")


def tcp_retransmits(params: Params) -> ProbeOutput:
    """TCP segments retransmitted over `duration_s`, against segments sent (as `nstat`)."""
    interval = float(params["duration_s"])
    before = _tcp_counters()
    time.sleep(interval)
    after = _tcp_counters()
    sent = after["OutSegs"] - before["OutSegs"]
    resent = after["RetransSegs"] - before["RetransSegs"]
    errors = after.get("InErrs", 0) - before.get("InErrs", 0)
    share = 100 * resent / sent if sent else 0.0
    facts: dict[str, Fact] = {
        "segments_sent": sent,
        "retransmitted": resent,
        "retransmit_percent": round(share, 3),
        "in_errors": errors,
        "retransmitted_since_boot": after["RetransSegs"],
    }
    text = "\n".join(f"{key:>24}: {value}" for key, value in facts.items())
    summary = f"{resent} of {sent} TCP segments retransmitted in {interval:g} s ({share:.2f}%)"
    return ProbeOutput(text=text, summary=summary, facts=facts)


def interface_errors(params: Params) -> ProbeOutput:
    """Errors and drops per network interface, since boot and over `duration_s` (`ip -s link`)."""
    interval = float(params["duration_s"])
    before = psutil.net_io_counters(pernic=True)
    time.sleep(interval)
    after = psutil.net_io_counters(pernic=True)
    lines = [f"{'interface':<16}{'errin':>10}{'errout':>10}{'dropin':>10}{'dropout':>10}  (new)"]
    facts: dict[str, Fact] = {}
    new_total = 0
    for name, now in sorted(after.items()):
        was = before.get(name, now)
        new = (
            now.errin
            + now.errout
            + now.dropin
            + now.dropout
            - was.errin
            - was.errout
            - was.dropin
            - was.dropout
        )
        new_total += new
        lines.append(
            f"{name:<16}{now.errin:>10}{now.errout:>10}{now.dropin:>10}{now.dropout:>10}  {new}"
        )
        facts[f"{name}_errors_dropped"] = now.errin + now.errout + now.dropin + now.dropout
    facts["new_errors_dropped"] = new_total
    summary = f"{new_total} new errors/drops in {interval:g} s on {len(after)} interfaces"
    return ProbeOutput(text="\n".join(lines), summary=summary, facts=facts)


def socket_summary(params: Params) -> ProbeOutput:
    """Sockets by protocol and TCP state, for one process or the host (as `ss -s`)."""
    try:
        if "pid" in params:
            found = psutil.Process(int(params["pid"])).net_connections(kind="all")
            sockets = [(c.family, c.type, c.status) for c in found]
        else:
            sockets = [(c.family, c.type, c.status) for c in psutil.net_connections(kind="all")]
    except psutil.AccessDenied:
        raise NotAvailable("listing sockets was refused: run nightcall as root") from None
    except psutil.NoSuchProcess:
        raise NotAvailable(f"process {params['pid']} exited while it was being read") from None
    counts: dict[str, int] = {}
    for family, kind_code, status in sockets:
        kind = _KINDS.get(kind_code, "other")
        if family == getattr(socket, "AF_UNIX", None):
            kind = "unix"
        key = f"{kind}_{status.lower()}" if status != "NONE" else kind
        counts[key] = counts.get(key, 0) + 1
    facts: dict[str, Fact] = {"sockets": len(sockets), **dict(sorted(counts.items()))}
    text = "\n".join(f"{key:>18}: {value}" for key, value in facts.items())
    whose = f"pid {params['pid']}" if "pid" in params else "host"
    tcp = {k.removeprefix("tcp_"): v for k, v in counts.items() if k.startswith("tcp_")}
    shown = ", ".join(f"{state} {n}" for state, n in sorted(tcp.items(), key=lambda kv: -kv[1]))
    summary = f"{whose}: {len(sockets)} sockets; tcp {shown or 'none'}"
    return ProbeOutput(text=text, summary=summary, facts=facts)
