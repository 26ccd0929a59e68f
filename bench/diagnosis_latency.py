"""Diagnosis latency over a realistic hour: GET /api/v1/hypotheses on 1M spans of 20 services.

    .venv/bin/python bench/diagnosis_latency.py [--spans 1000000] [--repetitions 10] [--cold-runs 3]

Loads a fresh data directory with bench/query_latency.py's hour (the same generators and the
writer's own insert call: spans, logs and metrics of --services services), then starts
`nightcall serve` on it and times the diagnosis of that hour through the API:
cold (the first request after each of --cold-runs server starts), warm (the process is warm but
each request asks a window one second longer, so no answer can be reused) and repeated (the same
window again, which an engine may answer from a cache). The same-run baseline is the service
RED query (GET /api/v1/services) over the same window. It asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from query_latency import load_logs, load_metrics, load_traces
from rca_setup import running_server

from nightcall.config import load_settings
from nightcall.store.store import open_store

HOUR_NS = 3600 * 10**9
DIAGNOSIS = "/api/v1/hypotheses"
BASELINE = "/api/v1/services"


def load_hour(data_dir: Path, spans: int, logs: int, services: int, start_ns: int) -> None:
    """Fill `data_dir` with the query bench's hour, through the store the server will open."""
    settings, _ = load_settings(environ={}, overrides={"data_dir": data_dir, "retention_days": 0})
    store = open_store(settings)
    try:
        started = time.perf_counter()
        load_traces(store, spans, services, start_ns, seed=11)
        load_logs(store, logs, services, start_ns, seed=12)
        load_metrics(store, services, start_ns)
        counts = store.row_counts()
        print(f"loaded {counts.get('otel_traces', 0):,} spans, {counts.get('otel_logs', 0):,} "
              f"logs and metrics of {services} services over one hour "
              f"in {time.perf_counter() - started:.0f} s")  # fmt: skip
    finally:
        store.close()


def time_get(client: httpx.Client, path: str, start_ns: int, end_ns: int) -> tuple[float, int]:
    """Wall time in ms of one GET over the window, and its status."""
    started = time.perf_counter()
    response = client.get(path, params={"start": start_ns, "end": end_ns})
    return (time.perf_counter() - started) * 1e3, response.status_code


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(label: str, times_ms: list[float], baseline_ms: float | None = None) -> str:
    if not times_ms:
        return f"{label:<44} {'-':>10} {'-':>10}"
    median = statistics.median(times_ms)
    ratio = f"   {median / baseline_ms:6.1f}x the RED query" if baseline_ms else ""
    return f"{label:<44} {median:>10.0f} {p95(times_ms):>10.0f}{ratio}"


def first_request_ms(data_dir: Path, log: Path, path: str, window: tuple[int, int]) -> float | None:
    """Start a server and time its first request (None when the route answers an error)."""
    with (
        running_server(data_dir, log) as server,
        httpx.Client(base_url=server.url, timeout=600) as client,
    ):
        took_ms, status = time_get(client, path, *window)
    return took_ms if status == 200 else None


def warm_requests_ms(
    client: httpx.Client, path: str, window: tuple[int, int], repetitions: int
) -> tuple[list[float], list[float]]:
    """Times of requests for a new window each (one second longer), then the same window again."""
    start_ns, end_ns = window
    warm = [time_get(client, path, start_ns, end_ns + (i + 1) * 10**9) for i in range(repetitions)]
    repeated = [time_get(client, path, start_ns, end_ns) for _ in range(repetitions)]
    return [ms for ms, status in warm if status == 200], [ms for ms, s in repeated if s == 200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--logs", type=int, default=200_000)
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=2, help="server starts per request kind")
    args = parser.parse_args()
    start_ns = (time.time_ns() // HOUR_NS - 2) * HOUR_NS  # a whole hour that has passed
    window = (start_ns, start_ns + HOUR_NS)
    cold: dict[str, list[float]] = {DIAGNOSIS: [], BASELINE: []}
    warm: dict[str, list[float]] = {}
    repeated: dict[str, list[float]] = {}

    with tempfile.TemporaryDirectory(prefix="nightcall-diagnosis-bench-") as temporary:
        data_dir, log = Path(temporary) / "data", Path(temporary) / "server.log"
        load_hour(data_dir, args.spans, args.logs, args.services, start_ns)
        for _ in range(args.cold_runs):
            for path in (DIAGNOSIS, BASELINE):
                took_ms = first_request_ms(data_dir, log, path, window)
                cold[path] += [took_ms] if took_ms is not None else []
        with (
            running_server(data_dir, log) as server,
            httpx.Client(base_url=server.url, timeout=600) as client,
        ):
            for path in (DIAGNOSIS, BASELINE):
                warm[path], repeated[path] = warm_requests_ms(
                    client, path, window, args.repetitions
                )
            status = client.get(DIAGNOSIS, params={"start": window[0], "end": window[1]})

    base_warm = statistics.median(warm[BASELINE]) if warm[BASELINE] else None
    print(f"\n{'request (one hour, ' + str(args.services) + ' services)':<44} "
          f"{'median ms':>10} {'p95 ms':>10}")  # fmt: skip
    print(row("hypotheses, cold (first after start)", cold[DIAGNOSIS]))
    print(row("hypotheses, warm (a new window each)", warm[DIAGNOSIS], base_warm))
    print(row("hypotheses, repeated (the same window)", repeated[DIAGNOSIS], base_warm))
    print(row("baseline: services RED, cold", cold[BASELINE]))
    print(row("baseline: services RED, warm (new window)", warm[BASELINE]))
    print(row("baseline: services RED, repeated", repeated[BASELINE]))
    print(f"(cold: {args.cold_runs} server starts per request; warm and repeated: "
          f"{args.repetitions} each, in one server)")  # fmt: skip
    if status.status_code != 200:
        print(f"\nGET {DIAGNOSIS} answered {status.status_code} ({status.text[:200]}): only the "
              "baseline is timed. A 404 means this tree has no diagnosis engine yet; rerun once "
              "the route exists.")  # fmt: skip


if __name__ == "__main__":
    main()
