"""The load generator: shoppers hitting the frontend along a compressed daily curve.

Arrivals are a Poisson process whose rate follows the `DayCurve`; each picks an entry point by
its share. Requests run on a bounded pool of worker threads: when the shop is too slow to keep
up, arrivals beyond the bound are counted as shed rather than queued without end.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from nightcall.demo.topology import CLIENT_TIMEOUT_S, service
from nightcall.demo.traffic import DayCurve, pick_entry

MAX_IN_FLIGHT = 48


@dataclass(slots=True)
class LoadStats:
    """What the shoppers saw: requests per outcome."""

    statuses: Counter[str] = field(default_factory=Counter)
    shed: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, outcome: str) -> None:
        with self.lock:
            self.statuses[outcome] += 1

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())


def run_load(
    frontend_url: str,
    curve: DayCurve,
    *,
    origin_s: float,
    until_s: float,
    seed: int,
    stop: threading.Event,
) -> LoadStats:
    """Send requests from `origin_s` to `until_s` (Unix seconds) or until `stop` is set."""
    rng = random.Random(seed)
    stats = LoadStats()
    slots = threading.BoundedSemaphore(MAX_IN_FLIGHT)
    frontend = service("frontend")

    def one(client: httpx.Client, method: str, path: str) -> None:
        try:
            outcome = str(client.request(method, frontend_url + path).status_code)
        except httpx.HTTPError as exc:
            outcome = type(exc).__name__
        finally:
            slots.release()
        stats.count(outcome)

    with (
        httpx.Client(timeout=CLIENT_TIMEOUT_S + 5) as client,
        ThreadPoolExecutor(MAX_IN_FLIGHT, thread_name_prefix="shopper") as pool,
    ):
        next_s = max(time.time(), origin_s)
        while next_s < until_s and not stop.is_set():
            stop.wait(max(0.0, next_s - time.time()))
            entry = pick_entry(rng)
            path = frontend.endpoint(f"{entry.method} {entry.route}").path(rng)
            if slots.acquire(blocking=False):
                pool.submit(one, client, entry.method, path)
            else:
                stats.shed += 1
            rate = curve.rate_per_s(max(0.0, next_s - origin_s))
            next_s += rng.expovariate(rate)
    return stats
