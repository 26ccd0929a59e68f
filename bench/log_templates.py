"""Log template mining at ingest: the templater alone, and a real server with and without it.

    .venv/bin/python bench/log_templates.py [--duration-s 20] [--concurrency 2]

Lines are the twelve Loghub-2k datasets (24,000 lines, one service per dataset) from
`../shared/data/loghub-2k/`, or synthetic lines when that directory is missing, in 1,000-line
OTLP/protobuf requests. In this process, on one thread, it prints the rates of decode+flatten
(the ingest path's own work, for scale), of `LogTemplater.template_batch` on the flattened
batches (first pass: templates being made; later passes: steady state), and of the whole
writer step (`LogTemplating`: mining, the state snapshot saved per group, the template rows).
Then it starts `nightcall serve` twice on fresh data directories, with `log_templates` off and
on, sends the same requests from keep-alive client threads for the same duration, waits until
the store holds every acknowledged line, and prints lines/s, the ratio, and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from bench_server import free_port, wait_for_server
from ingest_throughput import RssSampler, cpu_s
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.logs.v1 import logs_pb2

from nightcall.analysis.logs.templater import LogTemplater
from nightcall.api.log_templating import LogTemplating
from nightcall.ingest.otlp.flatten_logs import flatten_logs
from nightcall.model import EncodedBatch
from nightcall.store.state_snapshots import SnapshotFiles
from nightcall.store.wal import WalRecord

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "loghub-2k"
SECOND_NS = 1_000_000_000


def load_lines() -> list[tuple[str, str]]:
    """(service, body) pairs: Loghub-2k's Content column per dataset, else synthetic lines."""
    lines = []
    for path in sorted(DATA.glob("*/*_2k.log_structured.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            lines += [(path.parent.name.lower(), row["Content"]) for row in csv.DictReader(handle)]
    if lines:
        return lines
    print(f"({DATA} is missing: synthetic lines)")
    events = ["user {} logged in from 10.0.{}.7", "GET /cart/{} took {} ms",
              "cache miss for key cart:{} shard {}", "retrying payment {} after {} s"]  # fmt: skip
    return [(f"svc{i % 4}", events[i % 4].format(i, i % 97)) for i in range(24_000)]


def build_requests(lines: list[tuple[str, str]], per_request: int) -> list[bytes]:
    """OTLP/protobuf log requests of `per_request` lines, grouped by service inside each."""
    now = time.time_ns() - 600 * SECOND_NS
    requests = []
    for start in range(0, len(lines), per_request):
        request = ExportLogsServiceRequest()
        by_service: dict[str, list[str]] = {}
        for service, body in lines[start : start + per_request]:
            by_service.setdefault(service, []).append(body)
        for service, bodies in by_service.items():
            resource_logs = request.resource_logs.add()
            resource_logs.resource.attributes.append(
                KeyValue(key="service.name", value=AnyValue(string_value=service))
            )
            records = resource_logs.scope_logs.add().log_records
            for i, body in enumerate(bodies):
                record = records.add()
                record.time_unix_nano = now + start + i
                record.severity_number = logs_pb2.SEVERITY_NUMBER_INFO
                record.body.string_value = body
        requests.append(request.SerializeToString())
    return requests


def flatten_all(requests: list[bytes]) -> list[EncodedBatch]:
    batches: list[EncodedBatch] = []
    for body in requests:
        message = ExportLogsServiceRequest()
        message.ParseFromString(body)
        batches += flatten_logs(message).batches
    return batches


def in_process(requests: list[bytes], lines: int) -> None:
    """Rates of flattening, of the templater, and of the writer step, on one thread."""
    print(f"in process, one thread ({lines:,} lines, {len(requests)} requests)")
    started = time.perf_counter()
    batches = flatten_all(requests)
    flatten_rate = lines / (time.perf_counter() - started)
    print(f"  decode + flatten (ingest baseline)     {flatten_rate:>10,.0f} lines/s")
    templater = LogTemplater(generation="bench")
    for label in ("templater, first pass", "templater, second pass", "templater, third pass"):
        started = time.perf_counter()
        for batch in batches:
            templater.template_batch(batch)
        rate = lines / (time.perf_counter() - started)
        print(f"  {label:<38} {rate:>10,.0f} lines/s   ({rate / flatten_rate:.2f}x flatten)")
    with tempfile.TemporaryDirectory(prefix="nightcall-bench-") as temporary:
        step = LogTemplating(SnapshotFiles(Path(temporary)))
        lsn = 0
        for label in ("writer step, first pass", "writer step, second pass"):
            started = time.perf_counter()
            for index in range(0, len(batches), 8):  # a writer group: 8 requests
                group = []
                for batch in batches[index : index + 8]:
                    lsn += 1
                    group.append(WalRecord(lsn=lsn, batch=batch))
                step(group)
            rate = lines / (time.perf_counter() - started)
            print(f"  {label:<38} {rate:>10,.0f} lines/s   (state saved per group of 8)")
        size = (Path(temporary) / "state.json").stat().st_size
        registry = step.templater.registry if step.templater else None
        services = registry.services() if registry else []
        templates = sum(len(registry.miner(s).templates()) for s in services) if registry else 0
        print(f"  state snapshot                         {size / 1024:>10,.0f} KiB"
              f"   ({templates:,} templates)")  # fmt: skip


def send_loop(port: int, requests: list[bytes], per_request: list[int], offset: int,
              stop_at: float, acked: list[int]) -> None:  # fmt: skip
    """POST requests round-robin on one keep-alive connection until `stop_at`."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/x-protobuf"}
    index = offset
    while time.monotonic() < stop_at:
        connection.request("POST", "/v1/logs", body=requests[index % len(requests)],
                           headers=headers)  # fmt: skip
        response = connection.getresponse()
        response.read()
        if response.status == 200:
            acked.append(per_request[index % len(requests)])
        elif response.status in (429, 503):
            time.sleep(float(response.getheader("Retry-After") or 1))
        else:
            raise SystemExit(f"the server answered {response.status}")
        index += 1
    connection.close()


def stored_lines(port: int) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode()
    finally:
        connection.close()
    match = re.search(r'^nightcall_store_rows\{table="otel_logs"\} (\S+)$', text, re.M)
    return int(float(match.group(1))) if match else 0


@dataclass(frozen=True, slots=True)
class Run:
    """One timed run against a server."""

    lines: int
    seconds: float
    peak_rss_mib: float
    peak_anon_mib: float
    server_cores: float


def run_server(args: argparse.Namespace, requests: list[bytes], counts: list[int],
               *, templates: bool) -> Run:  # fmt: skip
    """Serve on a fresh data directory, send for the duration, wait until all is stored."""
    with tempfile.TemporaryDirectory(prefix="nightcall-bench-") as temporary:
        data_dir, port = Path(temporary) / "data", free_port()
        log = (Path(temporary) / "server.log").open("wb")
        env = {**os.environ, "NIGHTCALL_LOG_TEMPLATES": "true" if templates else "false"}
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "nightcall"), "serve", "--data-dir", str(data_dir),
             "--port", str(port), "--retention-days", "0", "--statsd-port", "0"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
        try:
            wait_for_server(f"http://127.0.0.1:{port}", server, log=log.name)
            sampler = RssSampler(server.pid)
            sampler.start()
            process = psutil.Process(server.pid)
            cpu0 = cpu_s(process)
            acked: list[int] = []
            started = time.monotonic()
            threads = [
                threading.Thread(target=send_loop, args=(port, requests, counts, i * 7,
                                                         started + args.duration_s, acked))
                for i in range(args.concurrency)
            ]  # fmt: skip
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            while stored_lines(port) < sum(acked):
                time.sleep(0.1)
            seconds = time.monotonic() - started
            cores = (cpu_s(process) - cpu0) / seconds
            sampler.stopped.set()
        finally:
            server.terminate()
            server.wait(timeout=60)
    return Run(sum(acked), seconds, sampler.peak_bytes / 2**20, sampler.peak_anon_bytes / 2**20,
               cores)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--lines-per-request", type=int, default=1000)
    parser.add_argument("--skip-server", action="store_true", help="only the in-process rates")
    args = parser.parse_args()
    lines = load_lines()
    requests = build_requests(lines, args.lines_per_request)
    counts = [min(args.lines_per_request, len(lines) - i)
              for i in range(0, len(lines), args.lines_per_request)]  # fmt: skip
    in_process(requests, len(lines))
    if args.skip_server:
        return
    print(f"\nend to end ({args.concurrency} client threads, {args.duration_s:g} s each, "
          f"{os.cpu_count()} cores shared by client and server)")  # fmt: skip
    runs = {}
    for templates in (False, True):
        run = runs[templates] = run_server(args, requests, counts, templates=templates)
        label = "log_templates on " if templates else "log_templates off"
        print(f"  {label}  {run.lines / run.seconds:>10,.0f} lines/s stored   "
              f"({run.lines:,} lines; server {run.server_cores:.2f} cores; peak RSS "
              f"{run.peak_rss_mib:,.0f} MiB, anonymous {run.peak_anon_mib:,.0f} MiB)")  # fmt: skip
    on, off = runs[True], runs[False]
    ratio = (on.lines / on.seconds) / (off.lines / off.seconds)
    print(f"  with templating / without            {ratio:.2f}x")


if __name__ == "__main__":
    main()
