"""End-to-end Sentry event ingest into a real `nightcall serve`, beside the in-process decode rate.

    .venv/bin/python bench/sentry_ingest.py [--duration-s 5] [--clients 8] [--frames 20]

Starts the server on a fresh data directory (no keys: loopback is open; StatsD off), then
`--clients` threads, each with one keep-alive HTTP connection, post gzip envelopes of one event
each (as the Python SDK does) for the duration: a chained exception with `--frames` frames
(context lines, pre/post context, frame vars), 30 breadcrumbs, tags, user and device/os/app
contexts. It waits until `nightcall_store_rows{table="nightcall_error_events"}` on /metrics
holds every accepted event, and prints events/s accepted and stored end-to-end, the server's
peak RSS (psutil, sampled every 50 ms, and the kernel's high-water mark), and, from the same
run, the in-process decode rate (envelope framing + event rows, no socket, no store) and the
ratio to it.
"""

from __future__ import annotations

import argparse
import gzip
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import orjson
import psutil
from bench_server import free_port, wait_for_server

from nightcall.ingest.sentry import decode_envelope, decode_envelope_items

TABLE = "nightcall_error_events"


def frame(number: int) -> dict[str, Any]:
    return {
        "filename": f"shop/services/module_{number}.py",
        "abs_path": f"/srv/shop/services/module_{number}.py",
        "module": f"shop.services.module_{number}",
        "function": f"handle_step_{number}",
        "lineno": 40 + number,
        "colno": 12,
        "in_app": number > 3,
        "context_line": f"    result = handle_step_{number + 1}(order, cart)",
        "pre_context": [f"    # step {number} line {i}" for i in range(5)],
        "post_context": ["    return result", "", f"def helper_{number}():"],
        "vars": {"order": "<Order 81723>", "cart": "{'items': 3}", "retries": str(number % 3)},
    }


def event(frames: int, now_s: float) -> dict[str, Any]:
    chain = [
        {"type": "ConnectionResetError", "value": "[Errno 104] Connection reset by peer",
         "mechanism": {"type": "chained", "handled": True},
         "stacktrace": {"frames": [frame(i) for i in range(frames // 2)]}},
        {"type": "PaymentGatewayError", "value": "charge failed for order 81723",
         "mechanism": {"type": "logging", "handled": False},
         "stacktrace": {"frames": [frame(i) for i in range(frames)]}},
    ]  # fmt: skip
    return {
        "event_id": uuid.uuid4().hex,
        "timestamp": now_s,
        "platform": "python",
        "level": "error",
        "release": "shop@4.12.0",
        "environment": "production",
        "server_name": "shop-web-3",
        "tags": {"service": "checkout", "region": "eu-west-1", "http.method": "POST"},
        "user": {"id": "user-1042", "ip_address": "10.1.2.3"},
        "contexts": {
            "device": {"model": "Pixel 8", "family": "Pixel"},
            "os": {"name": "Android", "version": "14"},
            "app": {"app_version": "5.1.0"},
            "runtime": {"name": "CPython", "version": "3.11.9"},
            "trace": {"trace_id": uuid.uuid4().hex, "span_id": uuid.uuid4().hex[:16]},
        },
        "breadcrumbs": {"values": [
            {"timestamp": now_s - 30 + i, "category": "http", "level": "info",
             "message": f"GET /api/cart/{i}", "data": {"status_code": 200}}
            for i in range(30)
        ]},
        "exception": {"values": chain},
        "sdk": {"name": "sentry.python", "version": "2.0.0"},
    }  # fmt: skip


def envelope(body: dict[str, Any]) -> bytes:
    payload = orjson.dumps(body)
    header = orjson.dumps({"type": "event", "length": len(payload)})
    return b"\n".join([orjson.dumps({"event_id": body["event_id"]}), header, payload]) + b"\n"


def in_process_rate(bodies: list[bytes]) -> float:
    """Events/s through envelope framing and event rows alone (already decompressed)."""
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 2.0:
        for body in bodies:
            decode_envelope_items(decode_envelope(body), project_id="1", received_ns=0)
        done += len(bodies)
    return done / (time.perf_counter() - start)


def stored_rows(url: str) -> int:
    for line in httpx.get(url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(f'nightcall_store_rows{{table="{TABLE}"}}'):
            return int(float(line.rsplit(" ", 1)[1]))
    return 0


class RssSampler(threading.Thread):
    """The server's peak resident set size, sampled every 50 ms."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak_bytes = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.05):
            try:
                self.peak_bytes = max(self.peak_bytes, self.process.memory_info().rss)
            except psutil.Error:
                return


def run_clients(
    url: str, bodies: list[bytes], clients: int, duration_s: float
) -> tuple[int, int, float]:
    """Post envelopes from `clients` keep-alive connections; (accepted, refused, seconds)."""
    accepted = [0] * clients
    refused = [0] * clients
    start = time.perf_counter()

    def client(index: int) -> None:
        headers = {"Content-Encoding": "gzip", "Content-Type": "application/x-sentry-envelope"}
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            sent = index
            while time.perf_counter() - start < duration_s:
                response = http.post("/api/1/envelope/", content=bodies[sent % len(bodies)])
                sent += 1
                if response.status_code == 200:
                    accepted[index] += 1
                else:
                    refused[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(accepted), sum(refused), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--frames", type=int, default=20)
    args = parser.parse_args()
    now_s = time.time()
    plain = [envelope(event(args.frames, now_s)) for _ in range(200)]
    bodies = [gzip.compress(b, compresslevel=6) for b in plain]
    baseline = in_process_rate(plain)

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="nightcall-bench-") as data_dir:
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "nightcall"), "serve", "--data-dir", data_dir,
             "--port", str(port), "--statsd-port", "0"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        sampler = RssSampler(server.pid)
        try:
            wait_for_server(url, server)
            idle_bytes = psutil.Process(server.pid).memory_info().rss
            sampler.start()
            cpu_before = sum(psutil.Process(server.pid).cpu_times()[:2])
            accepted, refused, send_s = run_clients(url, bodies, args.clients, args.duration_s)
            start = time.perf_counter() - send_s
            total = accepted
            stored = 0
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and (stored := stored_rows(url)) < total:
                time.sleep(0.2)
            stored_s = time.perf_counter() - start
            server_cpu_s = sum(psutil.Process(server.pid).cpu_times()[:2]) - cpu_before
            sampler.stop.set()
            sampler.join()
            high_water = psutil.Process(server.pid).memory_info().rss
        finally:
            server.terminate()
            server.wait(timeout=60)

    size = sum(map(len, plain)) / len(plain)
    gz = sum(map(len, bodies)) / len(bodies)
    print(
        f"Sentry envelopes, 1 event each ({args.frames}+{args.frames // 2} frames, 30 "
        f"breadcrumbs; {size / 1024:.1f} KiB, {gz / 1024:.1f} KiB gzip), {args.clients} "
        f"keep-alive clients, {send_s:.1f} s, on this machine ({os.cpu_count()} cores)"
    )
    print(f"  accepted (200)    {total:>10,} events  {total / send_s:>10,.0f} events/s")
    print(f"  refused           {refused:>10,} events")
    print(
        f"  stored            {stored:>10,} events  {stored / stored_s:>10,.0f} events/s "
        f"end-to-end (until the last row is in the store)"
    )
    print(f"  server CPU        {server_cpu_s / stored_s:>10.2f} cores busy on average, "
          f"{server_cpu_s / max(stored, 1) * 1e3:.2f} ms CPU per event")  # fmt: skip
    print(f"  server peak RSS   {sampler.peak_bytes / 2**20:>10,.0f} MiB (psutil, 50 ms samples);"
          f" idle {idle_bytes / 2**20:,.0f} MiB, end {high_water / 2**20:,.0f} MiB")  # fmt: skip
    print(f"  baseline: decode in-process {baseline:,.0f} events/s; "
          f"accepted end-to-end is {total / send_s / baseline:.2f}x of it")  # fmt: skip


if __name__ == "__main__":
    main()
