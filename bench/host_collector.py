"""The host collector's own cost: CPU per collection, and as a share of a core at an interval.

    .venv/bin/python bench/host_collector.py [--collections 30] [--interval-s 10] [--run-s 30]

Runs `HostCollector.collect` back to back to time one collection (CPU and wall, mean and p95),
derives the share of one core at `--interval-s` (target: under 1%), then runs the collector for
real at that interval for `--run-s` seconds and measures this process's CPU over the run. The
baseline from the same run is one bare `psutil.cpu_times()` call, to show what a reading costs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import psutil

from nightcall.ingest.host import HostCollector
from nightcall.ingest.metric_points import encode_metric_points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", type=int, default=30)
    parser.add_argument("--interval-s", type=float, default=10.0)
    parser.add_argument("--run-s", type=float, default=30.0)
    args = parser.parse_args()

    collector = HostCollector(top_processes=10)
    cpu_s, wall_s, points = [], [], 0
    for _ in range(args.collections):
        time.sleep(0.1)  # something to rate against
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        collected = collector.collect(now_ns=time.time_ns())
        encode_metric_points(collected)
        cpu_s.append(time.process_time() - cpu_start)
        wall_s.append(time.perf_counter() - wall_start)
        points = len(collected)
    start = time.process_time()
    for _ in range(1000):
        psutil.cpu_times(percpu=True)
    bare_cpu_s = (time.process_time() - start) / 1000

    mean_cpu = statistics.fmean(cpu_s)
    p95_cpu = statistics.quantiles(cpu_s, n=20)[-1]
    print(f"host collector, {len(psutil.pids())} processes, {psutil.cpu_count()} cores, "
          f"{points} points per collection (collect + encode)")  # fmt: skip
    print(f"  CPU per collection   mean {mean_cpu * 1e3:6.1f} ms   p95 {p95_cpu * 1e3:6.1f} ms")
    print(f"  wall per collection  mean {statistics.fmean(wall_s) * 1e3:6.1f} ms")
    print(f"  at a {args.interval_s:g} s interval: {mean_cpu / args.interval_s:.3%} of one core "
          f"(target < 1%)")  # fmt: skip
    print(f"  baseline: one psutil.cpu_times(percpu=True) {bare_cpu_s * 1e6:.0f} us; a collection"
          f" costs {mean_cpu / bare_cpu_s:,.0f}x that")  # fmt: skip

    collections = 0
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    while time.perf_counter() - wall_start < args.run_s:
        time.sleep(args.interval_s)
        encode_metric_points(collector.collect(now_ns=time.time_ns()))
        collections += 1
    used = time.process_time() - cpu_start
    elapsed = time.perf_counter() - wall_start
    print(f"  measured over {elapsed:.0f} s ({collections} collections at {args.interval_s:g} s): "
          f"{used / elapsed:.3%} of one core")  # fmt: skip


if __name__ == "__main__":
    main()
