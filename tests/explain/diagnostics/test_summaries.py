"""Summaries read the output of the catalogue's tools, as those tools print it."""

from __future__ import annotations

from nightcall.explain.diagnostics.summaries import (
    summarize_iostat,
    summarize_oom_kills,
    summarize_perf_report,
    summarize_py_spy_dump,
    summarize_py_spy_record,
    summarize_scheduled_jobs,
    summarize_vmstat,
)

VMSTAT = """\
procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----
 r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st
15  0      0 15878020  56908 2732756    0    0   755  1361  299  624 26  4 68  1  0
 7  1      0 15878020  56908 2732756   12    3     0  1372 1237 3714 86 14  0  0  0
"""
IOSTAT = """\
Linux 6.1.0 (vm)  01/01/2026  _x86_64_  (2 CPU)

Device            r/s     rkB/s   w/s     wkB/s   %util
vda              1.00     10.00  2.00     20.00    3.50

Device            r/s     rkB/s   w/s     wkB/s   %util
vda              0.00      0.00 90.00   9000.00   97.20
vdb              0.00      0.00  1.00     10.00    1.00
"""
PY_SPY = """\
Process 4242: python app.py
Python v3.11.4 (/usr/bin/python3.11)

Thread 4242 (active): "MainThread"
    handle (app.py:40)
    serve (app.py:12)
Thread 4250 (idle): "worker"
    wait (threading.py:320)
"""
DMESG_KEPT = """\
[Mon Jan  5 10:00:00 2026] python invoked oom-killer: gfp_mask=0x100cca
[Mon Jan  5 10:00:00 2026] Out of memory: Killed process 4242 (python) total-vm:9000kB
"""
PERF = """\
# Samples: 500  of event 'cpu-clock'
#
# Overhead  Command  Shared Object      Symbol
# ........  .......  .................  ..........
#
    62.50%  python   python3.11         [.] _PyEval_EvalFrameDefault
    10.00%  python   [kernel.kallsyms]  [k] clear_page_erms
"""


def test_vmstat_reads_the_last_sample() -> None:
    """The last line (not the since-boot one) gives the run queue, swap and CPU split."""
    summary, facts = summarize_vmstat(VMSTAT)
    assert summary == ("run queue 7, blocked 1, swap in/out 12/3, CPU user 86% system 14% "
                       "idle 0% iowait 0%")  # fmt: skip
    assert facts["r"] == 7.0
    assert facts["si"] == 12.0


def test_iostat_names_the_busiest_device_of_the_last_report() -> None:
    """Only the last report counts (the first is since boot); the busiest device leads."""
    summary, facts = summarize_iostat(IOSTAT)
    assert summary == "busiest device vda at 97.20% utilization"
    assert facts == {"vda_util_percent": 97.2, "vdb_util_percent": 1.0}


def test_py_spy_dump_counts_threads() -> None:
    """Threads and active threads are counted, and the first frame is quoted."""
    summary, facts = summarize_py_spy_dump(PY_SPY)
    assert summary == "2 threads, 1 active; first frame: handle (app.py:40)"
    assert facts == {"threads": 2, "active_threads": 1}


def test_oom_kills_quotes_the_last_kill() -> None:
    """The kept kernel-log lines give the number of kills and the last one."""
    summary, facts = summarize_oom_kills(DMESG_KEPT)
    assert summary.startswith("1 OOM kills in the kernel log; last: [Mon Jan  5")
    assert facts == {"oom_kills": 1, "oom_lines": 2}
    assert summarize_oom_kills("")[0] == "no out-of-memory kills in the kernel log"


def test_perf_report_names_the_hottest_symbol() -> None:
    """The first row of perf report is the hottest symbol with its share."""
    summary, facts = summarize_perf_report(PERF)
    assert summary == "hottest: python python3.11 [.] _PyEval_EvalFrameDefault (62.50%)"
    assert facts == {"top_percent": 62.5}


def test_other_summaries_say_less_on_unknown_output() -> None:
    """Unrecognised output gives a plain summary, never an exception."""
    assert summarize_vmstat("garbage")[0] == "vmstat printed 1 lines"
    assert summarize_iostat("")[0] == "iostat printed 0 lines"
    assert summarize_perf_report("")[0] == "perf recorded no samples"
    assert summarize_py_spy_record("Wrote flamegraph")[0] == "py-spy wrote a flame graph"
    assert summarize_py_spy_record("Samples: 990 Errors: 2")[1] == {"samples": 990, "errors": 2}
    assert summarize_scheduled_jobs("")[0] == "0 systemd timers, 0 crontab entries"
