"""What to do about each kind: investigation steps, stabilization, confirming diagnostics.

The seeds' lists and Brendan Gregg's USE checklist, made specific: the steps name the service,
its host, pid, pod and the dependency or device the evidence points at, so the first thing a
person reads is a command to run, not a category. Diagnostics are names from the allow-listed
catalogue (`nightcall diagnose --run NAME` in the incidents issue), never shell strings.
"""

# ruff: noqa: E501  # the steps are prose a person reads; wrapping them mid-sentence hides them

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from nightcall.model import HypothesisKind

K = HypothesisKind


@dataclass(frozen=True, slots=True, kw_only=True)
class Play:
    """Steps, stabilization and diagnostics for one kind, with `{placeholders}`."""

    steps: tuple[str, ...]
    stabilize: tuple[str, ...]
    diagnostics: tuple[str, ...]


_TRACES = "nightcall traces --service {service} --since 30m --status error"
_SLOWEST = "nightcall traces --service {service} --since 30m --min-duration 1s"

PLAYS: dict[HypothesisKind, Play] = {
    K.CPU_BOTTLENECK: Play(
        steps=("Check CPU saturation on {host}: `mpstat -P ALL 1 5` and the run queue in `vmstat 1 5` (r > cores means waiting)",
               "Find what burns it in pid {pid}: `top -H -p {pid}` for the hot threads, then `py-spy top --pid {pid}` (or the runtime's profiler)",
               "Compare request rate and CPU of {service} in the same window: more traffic, or more work per request?",
               "Look at the slowest traces of {service}: " + _SLOWEST),
        stabilize=("Scale {service} out (more replicas) or up (more CPU)",
                   "Shed or rate-limit the most expensive endpoint while you profile"),
        diagnostics=("cpu_by_process", "load_average", "py_spy_dump"),
    ),
    K.MEMORY_LEAK: Play(
        steps=("Watch memory of pid {pid} on {host}: `ps -o pid,rss,vsz,cmd -p {pid}` every minute: a steady climb is a leak",
               "Check for OOM kills: `dmesg -T | grep -i -E 'killed process|out of memory'` and restarts of {service}",
               "Take two heap snapshots a few minutes apart (tracemalloc, jmap -histo, pprof heap) and diff the top allocators",
               "Check what changed before the climb began: deploys, feature flags, traffic mix"),
        stabilize=("Restart {service} on a schedule shorter than its time to exhaustion, as a stopgap",
                   "Roll back the last deploy of {service} if the climb began with it"),
        diagnostics=("memory_by_process", "oom_kills", "process_status"),
    ),
    K.RESOURCE_EXHAUSTION: Play(
        steps=("Check the pool or limit that ran out in {service}: {target} (in use vs. its maximum)",
               "Find who holds connections: long transactions or slow queries on the database side (`pg_stat_activity`, `SHOW PROCESSLIST`)",
               "Count open file descriptors and threads of pid {pid}: `ls /proc/{pid}/fd | wc -l`, `ls /proc/{pid}/task | wc -l`",
               "Look for leaked connections: requests that error out before returning theirs (" + _TRACES + ")"),
        stabilize=("Raise the pool size of {service} only if the database has room; otherwise cap concurrency at the edge",
                   "Restart {service} to release leaked connections, then find the leak"),
        diagnostics=("open_files", "socket_summary", "process_status"),
    ),
    K.SLOW_DEPENDENCY: Play(
        steps=("Confirm the dependency is slow from {service}'s side: client spans to {target} (" + _SLOWEST + ")",
               "Check {target}'s own status page or metrics; compare with other callers of {target}",
               "Check timeouts and retries in {service}'s client for {target}: retries multiply load on a slow dependency",
               "Check the network path from {host} to {target}: `ss -ti` for retransmits"),
        stabilize=("Put a circuit breaker or a shorter timeout on {service}'s calls to {target}",
                   "Serve cached or degraded responses while {target} is slow"),
        diagnostics=("tcp_retransmits", "dns_lookup", "http_probe"),
    ),
    K.DEPLOY_REGRESSION: Play(
        steps=("Diff {service} {target} against the previous version: code, configuration, dependencies",
               "Compare errors and latency by service.version: old and new instances side by side",
               "Read the new error groups since the deploy: `nightcall errors --service {service} --since 1h`",
               "Check the deploy's migration and feature-flag changes"),
        stabilize=("Roll back {service} to the previous version", "Stop the rollout if it is still in progress"),
        diagnostics=("process_status", "http_probe"),
    ),
    K.CASCADING_FAILURE: Play(
        steps=("Fix the first failing service, {service}: its callers fail because it does",
               "Check why {service} stalls or fails: its slowest and failing traces (" + _TRACES + ")",
               "Check the callers' timeouts and retries: retries from several levels multiply the load on {service}",
               "Check thread and connection pools of {service} on {host}"),
        stabilize=("Circuit-break calls to {service} in its callers and return a degraded answer",
                   "Restart or scale {service}", "Cut retries upstream while it recovers"),
        diagnostics=("process_status", "socket_summary", "http_probe"),
    ),
    K.PERIODIC_ISSUE: Play(
        steps=("Find what is scheduled with that period on {host}: cron (`crontab -l`, `/etc/cron.d`), systemd timers (`systemctl list-timers`), batch jobs",
               "Line up the bursts with job logs in {service}: `nightcall logs --service {service} --since 1h`",
               "Check whether the job shares a pool, database or CPU with request handling"),
        stabilize=("Move the job off-peak or to its own worker", "Throttle the job's batch size"),
        diagnostics=("cpu_by_process", "scheduled_jobs"),
    ),
    K.TIME_OF_DAY_CONGESTION: Play(
        steps=("Compare {service}'s capacity with its peak traffic: requests per second at the peak vs. the rest",
               "Check which resource saturates at the peak: CPU, pool, threads of {service} on {host}",
               "Check autoscaling: does {service} scale out before the peak, or only after it fails?"),
        stabilize=("Scale {service} ahead of the daily peak", "Rate-limit or queue the peak's least urgent traffic"),
        diagnostics=("cpu_by_process", "load_average"),
    ),
    K.CERTIFICATE_EXPIRY: Play(
        steps=("Read the certificate {service} is offered: `openssl s_client -connect HOST:443 -servername HOST </dev/null | openssl x509 -noout -dates`",
               "Check which certificate or CA bundle {service} trusts, and when it was last updated",
               "Find every caller of the same endpoint: they fail the same way"),
        stabilize=("Renew and deploy the certificate (or the CA bundle)", "Fail over to an endpoint with a valid certificate"),
        diagnostics=("tls_certificate", "http_probe"),
    ),
    K.DEVICE_SPECIFIC_CRASH: Play(
        steps=("Open the crash group on {target}: `nightcall errors --service {service} --since 1h`",
               "Reproduce on {target} (simulator or a device farm) with the breadcrumbs of a sample event",
               "Check what the app does differently there: OS APIs, memory limits, screen sizes"),
        stabilize=("Disable the feature for {target} with a remote flag", "Halt the staged rollout for that device and OS"),
        diagnostics=(),
    ),
    K.NETWORK_DEGRADATION: Play(
        steps=("Compare the latency callers see to {service} with {service}'s own server spans: the gap is in the network",
               "Check retransmits and drops on {host}: `ss -ti`, `nstat -az | grep -i -E 'retrans|drop'`, `ip -s link`",
               "Check DNS and the load balancer between the callers and {service}"),
        stabilize=("Move traffic away from the degraded zone or node", "Raise client timeouts slightly and cut retries"),
        diagnostics=("tcp_retransmits", "interface_errors", "dns_lookup"),
    ),
    K.GC_OR_MEMORY_RECLAIM_PAUSE: Play(
        steps=("Read GC logs of pid {pid}: pause times and frequency (jstat -gcutil, GODEBUG=gctrace=1, gc.callbacks)",
               "Check allocation rate and heap size of {service}: a pause follows a full heap",
               "Check the host for memory reclaim: `vmstat 1 5` (si/so), `/proc/pressure/memory`"),
        stabilize=("Give {service} more heap or memory headroom", "Reduce allocation in the hot path"),
        diagnostics=("memory_by_process", "memory_pressure"),
    ),
    K.SYSCALL_OR_CONTEXT_SWITCH_STORM: Play(
        steps=("Count context switches of pid {pid}: `pidstat -w -p {pid} 1 5`",
               "Find the hot syscalls: `strace -c -f -p {pid}` for a few seconds (adds overhead)",
               "Check lock contention and thread counts in {service}"),
        stabilize=("Reduce thread count or polling frequency in {service}",),
        diagnostics=("context_switches", "load_average"),
    ),
    K.LATENCY_REGRESSION: Play(
        steps=("Look at the slowest traces of {service}: " + _SLOWEST,
               "Compare slow and fast requests: `nightcall trace ID --analyze` on a slow one",
               "Check {service}'s resources on {host}: CPU, memory, pools"),
        stabilize=("Roll back the last change to {service}", "Scale {service} out while you look"),
        diagnostics=("cpu_by_process", "process_status"),
    ),
    K.ERROR_SURGE: Play(
        steps=("Read the new error groups of {service}: `nightcall errors --service {service} --since 1h`",
               "Open a failing trace: " + _TRACES,
               "Check the last changes to {service}: deploys, configuration, flags"),
        stabilize=("Roll back the last change to {service}",),
        diagnostics=("process_status", "http_probe"),
    ),
}  # fmt: skip


def fill(texts: tuple[str, ...], values: Mapping[str, str]) -> tuple[str, ...]:
    """`texts` with `{service}`, `{host}`, `{pid}` and `{target}` filled in (placeholders kept
    readable when unknown)."""
    defaults = {"host": "its host", "pid": "PID", "target": "the dependency", "service": "?"}
    merged = {**defaults, **{k: v for k, v in values.items() if v}}
    return tuple(text.format_map(merged) for text in texts)
