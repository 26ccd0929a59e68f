"""Each simulated fault shows the signals it claims, read back through nightcall's query API."""

from __future__ import annotations

import itertools
from collections import Counter
from statistics import mean

from nightcall.demo.faults import FaultKind
from nightcall.demo.topology import service
from tests.conftest import RunningServer
from tests.demo.query import Sent, send_simulation

BEFORE = (60.0, 460.0)  # healthy part of the 20-minute window (the fault runs 480-960 s)
DURING = (600.0, 950.0)


def _values(points: list[tuple[float, float]], start_s: float, end_s: float) -> list[float]:
    return [v for t, v in points if start_s <= t < end_s]


def _error_traces(sent: Sent, window: tuple[float, float], **params: object) -> int:
    return len(sent.traces(*window, status="error", **params))


def test_slow_dependency_raises_payment_gateway_latency(server: RunningServer) -> None:
    """The payment gateway's client spans and client-duration p95 rise only in the fault window."""
    sent = send_simulation(server, FaultKind.SLOW_DEPENDENCY, "payment")
    gateway = {"service": "payment", "attr": "server.address=api.paygate.example"}
    slow_before = sent.traces(*BEFORE, min_duration_ms=1000, **gateway)
    slow_during = sent.traces(*DURING, min_duration_ms=1000, **gateway)
    assert not slow_before
    assert len(slow_during) > 20
    p95 = sent.series(
        "http.client.request.duration",
        0,
        1200,
        service="payment",
        group_by="server.address",
        agg="p95",
        step=60,
    )[("api.paygate.example",)]
    assert max(_values(p95, *BEFORE)) < 0.5
    assert min(_values(p95, *DURING)) > 1.0


def test_deploy_regression_brings_errors_with_the_new_version(server: RunningServer) -> None:
    """After the deploy, checkout's errors carry the new service.version on one endpoint."""
    sent = send_simulation(server, FaultKind.DEPLOY_REGRESSION, "checkout")
    new = service("checkout").next_version
    assert _error_traces(sent, BEFORE, service="checkout", attr=f"service.version={new}") == 0
    during = _error_traces(sent, DURING, service="checkout", attr=f"service.version={new}")
    assert during > 10
    assert sent.services(*DURING)["checkout"]["error_rate"] > 0.2
    assert sent.services(*BEFORE)["checkout"]["error_rate"] < 0.05
    logs = sent.logs(*DURING, service="checkout", severity="error", q="KeyError")
    assert logs
    assert {log["attributes"]["http.route"] for log in logs} == {"/checkout"}
    releases = {e["release"] for e in sent.error_events(*DURING, service="checkout", q="currency")}
    assert releases == {f"checkout@{new}"}


def test_cpu_saturation_raises_cpu_and_latency(server: RunningServer) -> None:
    """The saturated service's process.cpu.utilization and its p95 both rise."""
    sent = send_simulation(server, FaultKind.CPU_SATURATION, "catalog")
    cpu = sent.series("process.cpu.utilization", 0, 1200, service="catalog", step=30)[()]
    assert mean(_values(cpu, *BEFORE)) < 0.2
    assert mean(_values(cpu, *DURING)) > 0.8
    during, before = sent.services(*DURING)["catalog"], sent.services(*BEFORE)["catalog"]
    assert during["p95_ms"] > 2 * before["p95_ms"]


def test_memory_leak_rises_monotonically_then_restarts(server: RunningServer) -> None:
    """cart's process.memory.usage rises step after step through the fault, then drops."""
    sent = send_simulation(server, FaultKind.MEMORY_LEAK, "cart")
    memory = sent.series("process.memory.usage", 0, 1200, service="cart", agg="max", step=30)[()]
    rising = _values(memory, 500, 950)
    assert len(rising) >= 14
    assert all(b > a for a, b in itertools.pairwise(rising))
    assert max(_values(memory, 990, 1200)) < rising[0]
    assert sent.logs(900, 1000, service="cart", q="out of memory")


def test_pool_exhaustion_times_out_while_cpu_idles(server: RunningServer) -> None:
    """catalog's pool is fully used, requests fail with pool timeouts, and CPU stays low."""
    sent = send_simulation(server, FaultKind.POOL_EXHAUSTION, "catalog")
    usage = sent.series(
        "db.client.connections.usage",
        0,
        1200,
        service="catalog",
        group_by="state",
        agg="max",
        step=30,
    )
    assert max(_values(usage[("used",)], *BEFORE)) < 5
    assert min(_values(usage[("used",)], 650, 950)) == service("catalog").pool_size
    assert _error_traces(sent, DURING, service="catalog") > 50
    assert sent.logs(*DURING, service="catalog", q="timeout acquiring connection")
    cpu = sent.series("process.cpu.utilization", 0, 1200, service="catalog", step=30)[()]
    assert max(_values(cpu, *DURING)) < 0.2


def test_periodic_batch_job_spikes_every_period(server: RunningServer) -> None:
    """CPU spikes recur with the job's period, each with a 'batch job started' log."""
    sent = send_simulation(server, FaultKind.PERIODIC_BATCH_JOB, "catalog")
    assert sent.fault is not None
    cpu = sent.series("process.cpu.utilization", 0, 1200, service="catalog", step=10)[()]
    spikes = [t for t, v in cpu if v > 0.4]
    bursts = [t for i, t in enumerate(spikes) if i == 0 or t - spikes[i - 1] > 20]
    assert len(bursts) >= 3
    gaps = [b - a for a, b in itertools.pairwise(bursts)]
    assert all(abs(gap - sent.fault.period_s) <= 20 for gap in gaps)
    assert len(sent.logs(0, 1200, service="catalog", q="batch job reindex started")) == len(bursts)


def test_time_of_day_congestion_fails_only_in_the_evening(server: RunningServer) -> None:
    """frontend's error rate is up inside the evening window and normal outside it."""
    sent = send_simulation(server, FaultKind.TIME_OF_DAY_CONGESTION, "frontend")
    assert sent.fault is not None
    start, end = sent.fault.start_s, sent.fault.end_s
    assert sent.services(start, end)["frontend"]["error_rate"] > 0.08
    assert sent.services(0, start - 10)["frontend"]["error_rate"] < 0.03
    assert sent.services(end + 10, 1200)["frontend"]["error_rate"] < 0.03


def test_device_specific_crash_concentrates_on_one_device(server: RunningServer) -> None:
    """Crash logs and crash events of the iOS app come mostly from one device and OS version."""
    sent = send_simulation(server, FaultKind.DEVICE_SPECIFIC_CRASH, rate=12.0)
    crashes = sent.logs(*DURING, service="shop-ios", q="app crashed")
    by_device = Counter(
        (c["resource"]["device.model.identifier"], c["resource"]["os.version"]) for c in crashes
    )
    (top, count), *_ = by_device.most_common(1)
    assert top == ("iPhone12,1", "17.4.1")
    assert count > 0.6 * len(crashes)
    before = sent.logs(*BEFORE, service="shop-ios", q="app crashed")
    assert len(before) < count / 2
    events = sent.error_events(*DURING, service="shop-ios", level="fatal")
    by_event_device = Counter((e["device"], e["os"]) for e in events)
    (top_event, event_count), *_ = by_event_device.most_common(1)
    assert top_event == ("iPhone12,1", "iOS 17.4.1")
    assert event_count > 0.6 * len(events)


def test_certificate_expiry_fails_every_gateway_call(server: RunningServer) -> None:
    """After expiry, payment logs 'certificate has expired' and its gateway spans fail."""
    sent = send_simulation(server, FaultKind.CERTIFICATE_EXPIRY, "payment")
    assert not sent.logs(*BEFORE, service="payment", q="certificate has expired")
    assert len(sent.logs(*DURING, service="payment", q="certificate has expired")) > 20
    gateway = {"service": "payment", "attr": "server.address=api.paygate.example"}
    assert _error_traces(sent, DURING, **gateway) > 20
    assert sent.services(*DURING)["payment"]["error_rate"] > 0.9
    assert sent.services(*DURING)["checkout"]["error_rate"] > 0.9
    events = sent.error_events(*DURING, service="payment", q="certificate has expired")
    assert {e["exception_type"] for e in events} == {"SSLCertVerificationError"}


def test_cascading_failure_saturates_the_callers_pool(server: RunningServer) -> None:
    """shipping stalls; checkout's pool saturates and checkout and frontend start failing."""
    sent = send_simulation(server, FaultKind.CASCADING_FAILURE, "shipping", rate=6.0)
    assert sent.services(*DURING)["shipping"]["p95_ms"] > 5000
    usage = sent.series(
        "db.client.connections.usage",
        0,
        1200,
        service="checkout",
        group_by="state",
        agg="max",
        step=30,
    )
    assert max(_values(usage[("used",)], *DURING)) == service("checkout").pool_size
    assert max(_values(usage[("used",)], *BEFORE)) < service("checkout").pool_size
    assert sent.services(*DURING)["checkout"]["error_rate"] > 0.1
    assert sent.services(*BEFORE)["checkout"]["error_rate"] < 0.03
    assert sent.logs(*DURING, service="checkout", q="timeout acquiring connection")
