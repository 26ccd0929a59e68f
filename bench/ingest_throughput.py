"""End-to-end OTLP trace ingest against a real `nightcall serve`, beside decode and flatten rates.

    .venv/bin/python bench/ingest_throughput.py [--duration-s 25] [--concurrency 4]

Starts the server on a fresh data directory and a free loopback port, sends pre-built
1,000-span protobuf requests from keep-alive client threads for the duration, waits until the
store holds every acknowledged span, and prints the end-to-end rate with, from the same run and
the same payloads, the in-process decode-only and decode+flatten rates and their ratios. Client
and server share this machine's cores, so the client's own CPU share is printed too.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import psutil
from bench_server import free_port, wait_for_server
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from telemetry import TraceGenerator

from nightcall.ingest.otlp.flatten_traces import flatten_traces


@dataclass
class ClientTally:
    """What the sender threads saw; each thread appends to its own lists (GIL-safe)."""

    latencies_s: list[float] = field(default_factory=list)
    spans_acked: int = 0
    requests_refused: int = 0
    errors: list[str] = field(default_factory=list)


def build_payloads(count: int, spans: int, services: int) -> list[bytes]:
    generator = TraceGenerator(services=services, seed=7, start_ns=time.time_ns() - 60 * 10**9)
    return [generator.request(spans).SerializeToString() for _ in range(count)]


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    command = Path(sys.executable).parent / "nightcall"
    log = (data_dir.parent / "server.log").open("wb")
    process = subprocess.Popen(
        [str(command), "serve", "--data-dir", str(data_dir), "--port", str(port),
         "--retention-days", "0"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_for_server(f"http://127.0.0.1:{port}", process, log=log.name)
    return process


def get_json(port: int, path: str) -> dict[str, object]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return dict(orjson.loads(connection.getresponse().read()))
    finally:
        connection.close()


def stored_spans(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    match = re.search(r'^nightcall_store_rows\{table="otel_traces"\} (\S+)$', text, re.M)
    return int(float(match.group(1))) if match else 0


def send_loop(
    port: int, payloads: list[bytes], spans: int, offset: int, stop_at: float, tally: ClientTally
) -> None:
    """Send payloads round-robin on one keep-alive connection until `stop_at`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/x-protobuf"}
    index = offset
    while time.monotonic() < stop_at:
        body = payloads[index % len(payloads)]
        index += 1
        started = time.perf_counter()
        try:
            connection.request("POST", "/v1/traces", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(repr(exc))
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        if response.status == 200:
            tally.latencies_s.append(time.perf_counter() - started)
            tally.spans_acked += spans
        elif response.status in (429, 503):
            tally.requests_refused += 1
            time.sleep(float(response.getheader("Retry-After") or 1))
        else:
            tally.errors.append(f"HTTP {response.status}")
    connection.close()


class RssSampler(threading.Thread):
    """Samples the server's resident set size until stopped; keeps the peak."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak_bytes = 0
        self.peak_anon_bytes = 0  # RSS less file-backed pages (chDB's ~250 MB of library code)
        self.status = Path(f"/proc/{pid}/status")
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            try:
                self.peak_bytes = max(self.peak_bytes, self.process.memory_info().rss)
                self.peak_anon_bytes = max(self.peak_anon_bytes, self._anon_bytes())
            except (psutil.Error, OSError):
                return

    def _anon_bytes(self) -> int:
        for line in self.status.read_text().splitlines():
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
        return 0


def profile(pid: int, output: str, duration_s: float) -> subprocess.Popen[bytes]:
    """py-spy sampling the server (all threads, native frames) while the clients send."""
    command = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen(
        [str(command), "record", "--pid", str(pid), "--output", output, "--format", "raw",
         "--duration", str(int(duration_s)), "--rate", "200", "--threads", "--idle"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def rate(label: str, payloads: list[bytes], spans: int, flatten: bool, min_s: float) -> float:
    """Spans/s of decoding (and flattening) the payloads in this process, on one thread."""
    done = 0
    started = time.perf_counter()
    while True:
        for body in payloads:
            message = ExportTraceServiceRequest()
            message.ParseFromString(body)
            if flatten:
                flatten_traces(message)
            done += spans
        elapsed = time.perf_counter() - started
        if elapsed >= min_s:
            print(f"  {label:<34} {done / elapsed:>12,.0f} spans/s")
            return done / elapsed


@dataclass
class LoadResult:
    """What one timed run against the server measured."""

    tally: ClientTally
    stored: int
    acked_s: float
    stored_s: float
    server_cpu_s: float
    client_cpu_s: float
    peak_rss_bytes: int
    peak_anon_bytes: int


def cpu_s(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


def load_server(args: argparse.Namespace, payloads: list[bytes]) -> LoadResult:
    """Start a server, send for the duration, and wait until the store holds every ack."""
    spans = args.spans_per_request
    with tempfile.TemporaryDirectory(prefix="nightcall-bench-") as temporary:
        port = free_port()
        server = start_server(Path(temporary) / "data", port)
        sampler = RssSampler(server.pid)
        sampler.start()
        server_process, me = psutil.Process(server.pid), psutil.Process()
        try:
            tally = ClientTally()
            server_cpu0, client_cpu0 = cpu_s(server_process), cpu_s(me)
            profiler = profile(server.pid, args.py_spy, args.duration_s) if args.py_spy else None
            started = time.monotonic()
            stop_at = started + args.duration_s
            threads = [
                threading.Thread(target=send_loop, args=(port, payloads, spans, i, stop_at, tally))
                for i in range(args.concurrency)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            acked_s = time.monotonic() - started
            while get_json(port, "/healthz")["wal_pending_bytes"] != 0:
                time.sleep(0.05)
            while (stored := stored_spans(port)) < tally.spans_acked:
                time.sleep(0.1)
            stored_s = time.monotonic() - started
            server_cpu, client_cpu = cpu_s(server_process), cpu_s(me)
            if profiler:
                profiler.wait(timeout=60)
        finally:
            sampler.stopped.set()
            server.terminate()
            server.wait(timeout=60)
    return LoadResult(
        tally=tally,
        stored=stored,
        acked_s=acked_s,
        stored_s=stored_s,
        server_cpu_s=server_cpu - server_cpu0,
        client_cpu_s=client_cpu - client_cpu0,
        peak_rss_bytes=sampler.peak_bytes,
        peak_anon_bytes=sampler.peak_anon_bytes,
    )


def report(args: argparse.Namespace, result: LoadResult) -> float:
    """Print the end-to-end figures; returns the end-to-end rate."""
    tally, stored, stored_s = result.tally, result.stored, result.stored_s
    latencies = sorted(tally.latencies_s)
    end_to_end = tally.spans_acked / stored_s
    both_cpu_s = max(1e-9, result.server_cpu_s + result.client_cpu_s)
    print(f"\nend-to-end ({args.concurrency} client threads, {args.duration_s:g} s, "
          f"{os.cpu_count()} cores shared by client and server)")  # fmt: skip
    print(f"  spans acknowledged                 {tally.spans_acked:>12,}"
          f"   ({len(latencies)} requests, {tally.requests_refused} refused with 503/429,"
          f" {len(tally.errors)} errors)")  # fmt: skip
    print(f"  spans stored (otel_traces rows)    {stored:>12,}")
    print(f"  acknowledged rate                  {tally.spans_acked / result.acked_s:>12,.0f}"
          " spans/s")  # fmt: skip
    print(f"  end-to-end rate (acked and stored) {end_to_end:>12,.0f} spans/s"
          f"   (stored {stored_s - result.acked_s:.1f} s after the last ack)")  # fmt: skip
    if latencies:
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"  request latency p50 / p99          {p50 * 1e3:>9.1f} ms / {p99 * 1e3:.1f} ms")
    print(f"  server peak RSS                    {result.peak_rss_bytes / 2**20:>9.0f} MiB"
          f"   (anonymous {result.peak_anon_bytes / 2**20:.0f} MiB; the rest is mapped"
          " library code)")  # fmt: skip
    print(f"  server CPU                         {result.server_cpu_s / stored_s:>9.2f} cores "
          f"({result.server_cpu_s * 1e6 / max(1, stored):.1f} CPU-µs per span)")  # fmt: skip
    print(f"  client CPU (this process)          {result.client_cpu_s / stored_s:>9.2f} cores "
          f"({result.client_cpu_s / both_cpu_s:.0%} of the CPU both used)")  # fmt: skip
    if tally.errors:
        print(f"  first errors: {tally.errors[:3]}")
    return end_to_end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=25.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--spans-per-request", type=int, default=1000)
    parser.add_argument("--payloads", type=int, default=48)
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument(
        "--py-spy", metavar="FILE", help="record the server with py-spy into FILE (raw stacks)"
    )
    args = parser.parse_args()
    spans = args.spans_per_request

    print(f"building {args.payloads} requests of {spans} spans ...", flush=True)
    payloads = build_payloads(args.payloads, spans, args.services)
    mean_kb = statistics.mean(len(p) for p in payloads) / 1024
    print(f"  {mean_kb:.0f} KiB per request (protobuf), {mean_kb * 1024 / spans:.0f} B per span")
    end_to_end = report(args, load_server(args, payloads))

    print("\nsame payloads, this process, one thread, server stopped")
    decode = rate("decode only (ParseFromString)", payloads, spans, False, 3.0)
    flatten = rate("decode + flatten_traces", payloads, spans, True, 5.0)
    print("\nratios")
    print(f"  end-to-end / decode-only           {end_to_end / decode:>12.3f}")
    print(f"  end-to-end / decode+flatten        {end_to_end / flatten:>12.3f}")


if __name__ == "__main__":
    main()
