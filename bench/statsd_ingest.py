"""End-to-end StatsD ingest over real UDP into a real `nightcall serve`, beside the decode rate.

    .venv/bin/python bench/statsd_ingest.py [--duration-s 5] [--lines-per-datagram 20]
                                            [--rate 0]

Starts the server on a fresh data directory with StatsD on a free UDP port (flush every 1 s),
sends counter lines (`bench.hits:1|c|#shard:N`, 200 series) in datagrams of several lines for
the duration (as fast as one sender can, or at `--rate` lines/s), waits for the last flush, and
reads back how many increments the store holds. Prints lines/s sent and stored, lines lost in
the kernel (UDP receive-buffer errors) and counted as dropped by nightcall, the server's peak
RSS, and, from the same run, the in-process decode + aggregate rate and the ratio to it.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from bench_server import free_port, wait_for_server

from nightcall.ingest.statsd import StatsdAggregator, decode_datagram

SERIES = 200


def udp_receive_errors() -> int:
    """The kernel's count of UDP datagrams dropped for a full receive buffer."""
    lines = Path("/proc/net/snmp").read_text().splitlines()
    udp = [line.split() for line in lines if line.startswith("Udp:")]
    return int(dict(zip(udp[0], udp[1], strict=True))["RcvbufErrors"])


def datagrams(lines_per_datagram: int) -> list[bytes]:
    """Pre-built datagrams covering every series."""
    lines = [f"bench.hits:1|c|#shard:{i % SERIES}".encode() for i in range(SERIES * 5)]
    return [
        b"\n".join(lines[i : i + lines_per_datagram])
        for i in range(0, len(lines), lines_per_datagram)
    ]


def in_process_rate(payloads: list[bytes], lines_per_datagram: int) -> float:
    """Lines/s through decode + aggregate alone, with no socket and no store."""
    aggregator = StatsdAggregator(default_service="bench", max_series=10_000)
    sent = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 2.0:
        for payload in payloads:
            for sample in decode_datagram(payload).samples:
                aggregator.add(sample)
        sent += len(payloads) * lines_per_datagram
    aggregator.flush(start_ns=0, now_ns=1)
    return sent / (time.perf_counter() - start)


def peak_rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def stored_lines(url: str) -> float:
    found = httpx.get(
        f"{url}/api/v1/metrics/bench.hits/series",
        params={"start": "-30m", "step": "3600", "agg": "sum"},
        timeout=60,
    ).json()
    return sum(p["value"] for s in found["series"] for p in s["points"])


def dropped_by_nightcall(url: str) -> dict[str, float]:
    text = httpx.get(url + "/metrics", timeout=10).text
    dropped = {}
    for line in text.splitlines():
        if line.startswith("nightcall_items_dropped_total{") and 'signal="metrics"' in line:
            reason = line.split('reason="')[1].split('"')[0]
            dropped[reason] = float(line.rsplit(" ", 1)[1])
    return dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=5.0)
    parser.add_argument("--lines-per-datagram", type=int, default=20)
    parser.add_argument("--rate", type=float, default=0.0, help="lines/s; 0 = as fast as possible")
    args = parser.parse_args()
    payloads = datagrams(args.lines_per_datagram)
    baseline = in_process_rate(payloads, args.lines_per_datagram)

    http_port, udp_port = free_port(socket.SOCK_STREAM), free_port(socket.SOCK_DGRAM)
    url = f"http://127.0.0.1:{http_port}"
    with tempfile.TemporaryDirectory(prefix="nightcall-bench-") as data_dir:
        env = {**os.environ, "NIGHTCALL_STATSD_FLUSH_INTERVAL_S": "1"}
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "nightcall"), "serve", "--data-dir", data_dir,
             "--port", str(http_port), "--statsd-port", str(udp_port)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for_server(url, server)
            kernel_errors_before = udp_receive_errors()
            sent = 0
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
                start = time.perf_counter()
                while (elapsed := time.perf_counter() - start) < args.duration_s:
                    if args.rate and sent > args.rate * elapsed:
                        time.sleep(0.001)
                        continue
                    for payload in payloads:
                        sender.sendto(payload, ("127.0.0.1", udp_port))
                    sent += len(payloads) * args.lines_per_datagram
                send_s = time.perf_counter() - start
            time.sleep(2.5)  # the last flush interval, then the writer
            stored = 0.0
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                stored = stored_lines(url)
                time.sleep(1)
                if stored_lines(url) == stored:
                    break
            kernel_dropped = udp_receive_errors() - kernel_errors_before
            counted = dropped_by_nightcall(url)
            rss = peak_rss_bytes(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)

    print(
        f"StatsD over UDP, {args.lines_per_datagram} lines/datagram, {SERIES} series, "
        f"{send_s:.1f} s, one sender thread on this machine ({os.cpu_count()} cores)"
    )
    print(f"  sent              {sent:>12,} lines  {sent / send_s:>12,.0f} lines/s")
    print(
        f"  stored            {stored:>12,.0f} lines  {stored / send_s:>12,.0f} lines/s "
        f"accepted end-to-end ({stored / sent:.1%} of sent)"
    )
    print(
        f"  lost in kernel    {kernel_dropped * args.lines_per_datagram:>12,} lines "
        f"(UDP RcvbufErrors {kernel_dropped:,} datagrams)"
    )
    print(f"  counted dropped   {counted or 'none'}")
    print(f"  server peak RSS   {rss / 2**20:>12,.0f} MiB")
    print(f"  baseline: decode + aggregate in-process {baseline:,.0f} lines/s; "
          f"end-to-end is {stored / send_s / baseline:.2f}x of it")  # fmt: skip


if __name__ == "__main__":
    main()
