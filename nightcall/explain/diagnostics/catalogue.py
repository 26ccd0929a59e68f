"""The allow-list: every diagnostic nightcall may run, and nothing else.

Each entry is read-only (it observes; it never changes the host or the process, and the
profilers attach with `--nonblocking` so the target is not paused), bounded (a timeout, an
output limit, a bounded duration) and typed (its only variable parts are validated parameters).
The names are the ones the hypothesis playbook names (`Play.diagnostics`). Python probes are
used where they are as good and more portable than a tool; tools run from argument lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeAlias

from nightcall.explain.diagnostics.params import ParamKind, ParamSpec
from nightcall.explain.diagnostics.probes_host import (
    interface_errors,
    load_average,
    meminfo,
    memory_pressure,
    socket_summary,
    tcp_retransmits,
)
from nightcall.explain.diagnostics.probes_network import dns_lookup, http_probe, tls_certificate
from nightcall.explain.diagnostics.probes_process import (
    context_switches,
    cpu_by_process,
    memory_by_process,
    open_files,
    process_status,
)
from nightcall.explain.diagnostics.record import Command, Diagnostic
from nightcall.explain.diagnostics.summaries import (
    summarize_iostat,
    summarize_oom_kills,
    summarize_perf_report,
    summarize_py_spy_dump,
    summarize_py_spy_record,
    summarize_scheduled_jobs,
    summarize_vmstat,
)
from nightcall.explain.diagnostics.tracemalloc_diff import tracemalloc_diff
from nightcall.model import HypothesisKind as K

Catalogue: TypeAlias = Mapping[str, Diagnostic]

PY_SPY = "pip install py-spy (into nightcall's environment, or anywhere on PATH)"
PERF = "install perf: apt install linux-perf (Debian), linux-tools-$(uname -r) (Ubuntu)"
SYSSTAT = "install sysstat: apt install sysstat, dnf install sysstat"
PROCPS = "install procps: apt install procps"
NO_SYSTEMD = r"(?i)not been booted with systemd|failed to connect to bus"

PID = ParamSpec(kind=ParamKind.PID, required=True, help="the process to look at")
ANY_PID = ParamSpec(kind=ParamKind.PID, help="also show this process")
HOST = ParamSpec(kind=ParamKind.HOST, required=True, help="a DNS name or IP address")


def _sample(default: float, maximum: float, *, minimum: float = 0.1) -> ParamSpec:
    return ParamSpec(kind=ParamKind.DURATION_S, default=default, minimum=minimum,
                     maximum=maximum, help="seconds to sample for")  # fmt: skip


def _whole_seconds(default: int, maximum: int, *, minimum: int = 1) -> ParamSpec:
    return ParamSpec(kind=ParamKind.DURATION_S, default=default, minimum=minimum, maximum=maximum,
                     integer=True, help="seconds to sample for")  # fmt: skip


_ENTRIES = (
    Diagnostic(name="cpu_by_process", summary="processes using the most CPU (top), and the "
               "busiest threads of a pid", probe=cpu_by_process, params=(ANY_PID, _sample(1, 10)),
               kinds=(K.CPU_BOTTLENECK, K.PERIODIC_ISSUE, K.TIME_OF_DAY_CONGESTION,
                      K.LATENCY_REGRESSION)),
    Diagnostic(name="load_average", summary="load over 1/5/15 minutes against the CPU count",
               probe=load_average, kinds=(K.CPU_BOTTLENECK, K.TIME_OF_DAY_CONGESTION,
                                          K.SYSCALL_OR_CONTEXT_SWITCH_STORM)),
    Diagnostic(name="py_spy_dump", summary="the Python stack of every thread of a pid (py-spy)",
               params=(PID,), needs_root=True, timeout_s=15, summarize=summarize_py_spy_dump,
               commands=(Command(argv=("py-spy", "dump", "--pid", "{pid}", "--nonblocking"),
                                 install_hint=PY_SPY),),
               kinds=(K.CPU_BOTTLENECK, K.LATENCY_REGRESSION, K.CASCADING_FAILURE)),
    Diagnostic(name="py_spy_record", summary="a flame graph (SVG) of a Python pid over a few "
               "seconds (py-spy)", params=(PID, _whole_seconds(10, 60)), needs_root=True,
               timeout_s=20, artifact_suffix=".svg", summarize=summarize_py_spy_record,
               commands=(Command(argv=("py-spy", "record", "--pid", "{pid}", "--duration",
                                       "{duration_s}", "--rate", "100", "--format", "flamegraph",
                                       "--output", "{artifact}", "--idle", "--nonblocking"),
                                 install_hint=PY_SPY),),
               kinds=(K.CPU_BOTTLENECK, K.LATENCY_REGRESSION)),
    Diagnostic(name="memory_by_process", summary="processes with the most resident memory, and "
               "a pid's rss/uss", probe=memory_by_process, params=(ANY_PID,),
               kinds=(K.MEMORY_LEAK, K.GC_OR_MEMORY_RECLAIM_PAUSE)),
    Diagnostic(name="oom_kills", summary="out-of-memory kills in the kernel log (dmesg)",
               needs_root=True, max_output_bytes=8 * 2**20, summarize=summarize_oom_kills,
               keep_lines=r"(?i)out of memory|killed process|oom-kill|oom_reaper|invoked oom",
               commands=(Command(argv=("dmesg", "-T"), install_hint="install util-linux"),),
               kinds=(K.MEMORY_LEAK,)),
    Diagnostic(name="process_status", summary="a pid's state, age, threads, memory, CPU time",
               probe=process_status, params=(PID,),
               kinds=(K.MEMORY_LEAK, K.RESOURCE_EXHAUSTION, K.DEPLOY_REGRESSION,
                      K.CASCADING_FAILURE, K.LATENCY_REGRESSION, K.ERROR_SURGE)),
    Diagnostic(name="open_files", summary="a pid's file descriptors against its limit, files, "
               "sockets", probe=open_files, params=(PID,), kinds=(K.RESOURCE_EXHAUSTION,)),
    Diagnostic(name="socket_summary", summary="sockets by protocol and TCP state (ss -s), for a "
               "pid or the host", probe=socket_summary, params=(ANY_PID,),
               kinds=(K.RESOURCE_EXHAUSTION, K.CASCADING_FAILURE)),
    Diagnostic(name="tcp_retransmits", summary="TCP segments retransmitted over a few seconds "
               "(/proc/net/snmp, as nstat)", probe=tcp_retransmits, params=(_sample(1, 10),),
               kinds=(K.SLOW_DEPENDENCY, K.NETWORK_DEGRADATION)),
    Diagnostic(name="dns_lookup", summary="resolve a host with the system resolver, timed",
               probe=dns_lookup, params=(HOST,),
               kinds=(K.SLOW_DEPENDENCY, K.NETWORK_DEGRADATION)),
    Diagnostic(name="http_probe", summary="GET a URL once (loopback or allow-listed hosts): "
               "status, timings, size", probe=http_probe,
               params=(ParamSpec(kind=ParamKind.URL, required=True, help="http(s) URL"),),
               kinds=(K.SLOW_DEPENDENCY, K.DEPLOY_REGRESSION, K.CASCADING_FAILURE,
                      K.CERTIFICATE_EXPIRY, K.ERROR_SURGE)),
    Diagnostic(name="scheduled_jobs", summary="systemd timers and the crontab of nightcall's user",
               summarize=summarize_scheduled_jobs,
               commands=(Command(argv=("systemctl", "list-timers", "--all", "--no-pager"),
                                 optional=True, unavailable_when=NO_SYSTEMD),
                         Command(argv=("crontab", "-l"), optional=True,
                                 ok_exit_codes=frozenset({0, 1}), install_hint="install cron")),
               kinds=(K.PERIODIC_ISSUE,)),
    Diagnostic(name="tls_certificate", summary="the certificate a host:port offers: names, "
               "issuer, expiry, verification", probe=tls_certificate,
               params=(ParamSpec(kind=ParamKind.HOST, required=True, connects=True,
                                 help="the TLS server (loopback or allow-listed)"),
                       ParamSpec(kind=ParamKind.PORT, default=443)),
               kinds=(K.CERTIFICATE_EXPIRY,)),
    Diagnostic(name="interface_errors", summary="errors and drops per network interface "
               "(ip -s link)", probe=interface_errors, params=(_sample(1, 10),),
               kinds=(K.NETWORK_DEGRADATION,)),
    Diagnostic(name="memory_pressure", summary="pressure stall information: time stalled on "
               "memory, CPU, I/O", probe=memory_pressure,
               kinds=(K.GC_OR_MEMORY_RECLAIM_PAUSE, K.MEMORY_LEAK)),
    Diagnostic(name="context_switches", summary="voluntary and involuntary context switches "
               "per second of a pid (pidstat -w)", probe=context_switches,
               params=(PID, _sample(1, 10)), kinds=(K.SYSCALL_OR_CONTEXT_SWITCH_STORM,)),
    Diagnostic(name="vmstat", summary="run queue, swapping, CPU split each second (vmstat)",
               params=(_whole_seconds(5, 30, minimum=2),), summarize=summarize_vmstat,
               commands=(Command(argv=("vmstat", "1", "{duration_s}"), install_hint=PROCPS),),
               kinds=(K.CPU_BOTTLENECK, K.GC_OR_MEMORY_RECLAIM_PAUSE, K.MEMORY_LEAK,
                      K.SYSCALL_OR_CONTEXT_SWITCH_STORM, K.TIME_OF_DAY_CONGESTION)),
    Diagnostic(name="iostat", summary="per-device utilization and waits each second (iostat -x)",
               params=(_whole_seconds(3, 30, minimum=2),), summarize=summarize_iostat,
               commands=(Command(argv=("iostat", "-x", "1", "{duration_s}"),
                                 install_hint=SYSSTAT),),
               kinds=(K.LATENCY_REGRESSION, K.CPU_BOTTLENECK)),
    Diagnostic(name="meminfo", summary="/proc/meminfo: available memory, caches, swap",
               probe=meminfo, kinds=(K.MEMORY_LEAK, K.GC_OR_MEMORY_RECLAIM_PAUSE)),
    Diagnostic(name="perf_top", summary="the hottest functions of a pid, kernel and native "
               "included (perf record + perf report)", params=(PID, _whole_seconds(5, 30)),
               needs_root=True, timeout_s=30, summarize=summarize_perf_report,
               commands=(Command(argv=("perf", "record", "-F", "99", "-g", "-p", "{pid}", "-o",
                                       "{scratch}", "--", "sleep", "{duration_s}"),
                                 install_hint=PERF),
                         Command(argv=("perf", "report", "--stdio", "--no-children", "-i",
                                       "{scratch}", "--sort", "comm,dso,symbol",
                                       "--percent-limit", "1"), install_hint=PERF)),
               kinds=(K.CPU_BOTTLENECK, K.SYSCALL_OR_CONTEXT_SWITCH_STORM)),
    Diagnostic(name="tracemalloc_diff", summary="where a Python pid's memory grew between its "
               "two newest tracemalloc snapshots (opt-in)", probe=tracemalloc_diff,
               params=(PID,), kinds=(K.MEMORY_LEAK, K.GC_OR_MEMORY_RECLAIM_PAUSE)),
)  # fmt: skip

CATALOGUE: Catalogue = {diagnostic.name: diagnostic for diagnostic in _ENTRIES}
