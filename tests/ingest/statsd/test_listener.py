"""Real UDP: the DogStatsD client sends to a server, and the query API shows the aggregates."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from datadog.dogstatsd import DogStatsd

from tests.conftest import RunningServer


def free_udp_port() -> int:
    """A UDP port nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_metrics(url: str, names: set[str], timeout_s: float = 30.0) -> dict[str, Any]:
    """Poll /api/v1/metrics until every name is listed; returns the listing by name."""
    deadline = time.monotonic() + timeout_s
    listed: dict[str, Any] = {}
    while time.monotonic() < deadline:
        listed = {m["name"]: m for m in httpx.get(f"{url}/api/v1/metrics").json()["metrics"]}
        if names <= set(listed):
            return listed
        time.sleep(0.1)
    raise AssertionError(f"metrics {sorted(names - set(listed))} never appeared")


def series(url: str, name: str, **params: str) -> list[dict[str, Any]]:
    """The series of one metric over the last 10 minutes, in one bucket."""
    query = {"start": "-10m", "step": "1200", **params}
    response = httpx.get(f"{url}/api/v1/metrics/{name}/series", params=query)
    assert response.status_code == 200, response.text
    return list(response.json()["series"])


def value(found: list[dict[str, Any]], labels: list[str] | None = None) -> float:
    """The single value of the series with `labels` (or the only series)."""
    chosen = [s for s in found if labels is None or s["labels"] == labels]
    assert len(chosen) == 1, found
    return float(sum(p["value"] for p in chosen[0]["points"]))


@pytest.fixture
def statsd_server(make_server: Callable[..., RunningServer]) -> tuple[RunningServer, int]:
    """A server with StatsD on a free UDP port, flushing every 0.2 s."""
    port = free_udp_port()
    server = make_server(statsd_port=port, statsd_flush_interval_s=0.2, statsd_service="shop")
    return server, port


@pytest.fixture
def dogstatsd(statsd_server: tuple[RunningServer, int]) -> Iterator[DogStatsd]:
    """The real DogStatsD client, pointed at the test server."""
    client = DogStatsd(host="127.0.0.1", port=statsd_server[1], disable_telemetry=True,
                       origin_detection_enabled=False)  # fmt: skip
    yield client
    client.close_socket()


def test_client_counters_gauges_timers_and_tags_are_stored(
    statsd_server: tuple[RunningServer, int], dogstatsd: DogStatsd
) -> None:
    """Counters sum per tag set, gauges keep the last value, timers keep count/avg, sets count."""
    server, _ = statsd_server
    dogstatsd.increment("orders.placed", 3, tags=["region:eu", "service:checkout"])
    dogstatsd.increment("orders.placed", 2, tags=["region:eu", "service:checkout"])
    dogstatsd.increment("orders.placed", 4, tags=["region:us", "service:checkout"])
    dogstatsd.gauge("queue.depth", 7)
    for millis in (5, 20, 300):
        dogstatsd.timing("db.query", millis, tags=["table:users"])
    dogstatsd.distribution("payload.size", 100)
    dogstatsd.distribution("payload.size", 300)
    for user in ("ann", "bob", "ann"):
        dogstatsd.set("users.active", user)
    names = {"orders.placed", "queue.depth", "db.query", "payload.size", "users.active"}
    listed = wait_for_metrics(server.url, names)
    assert listed["orders.placed"]["type"] == "sum"
    assert listed["orders.placed"]["monotonic"] is True
    assert listed["orders.placed"]["services"] == ["checkout"]
    assert listed["db.query"]["type"] == "histogram"
    assert listed["db.query"]["unit"] == "ms"
    assert listed["queue.depth"]["services"] == ["shop"]  # the statsd_service default
    orders = series(server.url, "orders.placed", agg="sum", group_by="region")
    assert (value(orders, ["eu"]), value(orders, ["us"])) == (5.0, 4.0)
    assert value(series(server.url, "queue.depth", agg="last")) == 7.0
    assert value(series(server.url, "db.query", agg="avg")) == pytest.approx(325 / 3)
    assert value(series(server.url, "payload.size", agg="avg")) == pytest.approx(200.0)
    assert value(series(server.url, "users.active", agg="max")) == 2.0


def test_sample_rates_gauge_deltas_and_bad_lines_in_one_datagram(
    statsd_server: tuple[RunningServer, int],
) -> None:
    """A datagram of several lines: rates scale, +N adds, malformed lines are counted, skipped."""
    server, port = statsd_server
    datagram = b"\n".join([
        b"jobs.done:1|c|@0.25",
        b"not a metric",
        b"pool.size:10|g",
        b"pool.size:+5|g",
        b"jobs.done:oops|c",
        b"jobs.done:2|c",
    ])  # fmt: skip
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(datagram, ("127.0.0.1", port))
    wait_for_metrics(server.url, {"jobs.done", "pool.size"})
    assert value(series(server.url, "jobs.done", agg="sum")) == 6.0  # 1/0.25 + 2
    assert value(series(server.url, "pool.size", agg="last")) == 15.0
    _, dropped = server.runtime.counters.snapshot()
    assert dropped[("metrics", "statsd_malformed")] == 2


def test_series_over_the_cap_are_counted_as_dropped(
    make_server: Callable[..., RunningServer],
) -> None:
    """With statsd_max_series=2, a third series in one interval is dropped and counted."""
    port = free_udp_port()
    server = make_server(statsd_port=port, statsd_flush_interval_s=5, statsd_max_series=2)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        sender.sendto(b"a:1|c\nb:1|c\nc:1|c\nc:1|c", ("127.0.0.1", port))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        _, dropped = server.runtime.counters.snapshot()
        if dropped.get(("metrics", "statsd_series_overflow")) == 2:
            break
        time.sleep(0.05)
    assert dropped.get(("metrics", "statsd_series_overflow")) == 2


def test_a_taken_port_leaves_the_server_running_and_says_so(
    make_server: Callable[..., RunningServer], caplog: pytest.LogCaptureFixture
) -> None:
    """When the StatsD port is in use, the server still serves HTTP and warns how to fix it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        server = make_server(statsd_port=taken.getsockname()[1])
        assert httpx.get(f"{server.url}/healthz").status_code == 200
    assert "StatsD is off: cannot listen on UDP 127.0.0.1" in caplog.text
    assert "statsd_port (--statsd-port)" in caplog.text
