"""The diagnosis API end to end: a labelled demo scenario through a real server, then asked."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from nightcall.api.diagnosis_service import DiagnosisService
from nightcall.demo.bundle import send_payloads
from nightcall.demo.scenarios import HOUR_NS, SCENARIO_ORIGIN_NS, scenario_specs
from nightcall.demo.simulate import stream
from tests.conftest import RunningServer

# The first ten scenarios hold one fault of each kind (bench/eval_rca.py runs all thirty).
KINDS = {"slow_dependency": "slow_dependency", "deploy_regression": "deploy_regression",
         "cpu_saturation": "cpu_bottleneck", "memory_leak": "memory_leak",
         "pool_exhaustion": "resource_exhaustion", "periodic_batch_job": "periodic_issue",
         "time_of_day_congestion": "time_of_day_congestion",
         "device_specific_crash": "device_specific_crash",
         "certificate_expiry": "certificate_expiry",
         "cascading_failure": "cascading_failure"}  # fmt: skip
CASES = {spec.index: KINDS[spec.kind.value] for spec in scenario_specs()[:10]}


@pytest.fixture
def loaded(make_server: Callable[..., RunningServer]) -> RunningServer:
    """A server holding one scenario of each kind, each in its own hour."""
    server = make_server(statsd_port=0)
    for spec in scenario_specs():
        if spec.index in CASES:
            payloads, _ = stream(spec.config())
            send_payloads(payloads, server.url, dsn=f"http://demo@127.0.0.1:{server.port}/1")
    server.flush(timeout_s=120)
    return server


def _hour(index: int) -> dict[str, int]:
    start = SCENARIO_ORIGIN_NS + index * HOUR_NS
    return {"start": start, "end": start + HOUR_NS}


def test_scenarios_are_diagnosed_filtered_listed_and_recorded(loaded: RunningServer) -> None:
    """The top hypothesis names the injected service and kind, with evidence and steps; the
    service filter, the anomaly list and the continuous events work on the same data (one
    load: replaying the scenarios is the expensive part)."""
    wrong = []
    for spec in scenario_specs():
        if spec.index not in CASES:
            continue
        answer = httpx.get(loaded.url + "/api/v1/hypotheses", params=_hour(spec.index), timeout=120)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        top = body["hypotheses"][0]
        if (top["kind"], top["service"]) != (CASES[spec.index], spec.service):
            wrong.append(f"{spec.name}: {top['kind']} in {top['service']}, not {spec.kind}")
        assert body["candidates"][0]["service"] == spec.service
        assert 0.0 < top["confidence"] <= 1.0
        assert top["evidence"]
        assert top["steps"]
        assert top["statement"]
        if spec.duration_s and spec.kind.value in {"cpu_saturation", "slow_dependency"}:
            fault_ns = SCENARIO_ORIGIN_NS + spec.index * HOUR_NS + int(spec.start_s * 1e9)
            assert abs(top["onset_unix_nano"] - fault_ns) <= 120 * 10**9
    assert not wrong, wrong
    _check_service_filter(loaded)
    _check_anomalies(loaded)
    _check_events(loaded)


def _check_service_filter(loaded: RunningServer) -> None:
    """Asking about the frontend can still blame a service the frontend calls."""
    params = {**_hour(3), "service": "frontend"}
    answer = httpx.get(loaded.url + "/api/v1/hypotheses", params=params, timeout=120).json()
    assert answer["hypotheses"][0]["service"] == "catalog"
    only = {**_hour(3), "service": "shop-ios"}
    quiet = httpx.get(loaded.url + "/api/v1/hypotheses", params=only, timeout=120).json()
    assert all(h["service"] == "shop-ios" for h in quiet["hypotheses"])


def _check_anomalies(loaded: RunningServer) -> None:
    """/api/v1/anomalies returns findings with series, onset and voters for the window."""
    params = {**_hour(3), "service": "catalog", "recurring": "false"}
    answer = httpx.get(loaded.url + "/api/v1/anomalies", params=params, timeout=120).json()
    assert answer["anomalies"]
    cpu = [a for a in answer["anomalies"] if "cpu" in a["name"]]
    assert cpu
    assert cpu[0]["direction"] == "up"
    assert len(cpu[0]["voters"]) >= 2


def _check_events(loaded: RunningServer) -> None:
    """Continuous diagnosis writes new hypotheses to the store, and not again when unchanged."""
    runtime = loaded.runtime
    hour = _hour(3)
    clock = lambda: hour["end"]  # noqa: E731  # the diagnosis' "now": the end of scenario 3
    service = DiagnosisService(runtime.store, runtime.pipeline, clock)
    new = service.evaluate(3600)
    assert new
    assert service.evaluate(3600) == []
    loaded.flush()
    rows = runtime.store.select(
        "SELECT Kind, ServiceName FROM nightcall.nightcall_hypothesis_events"
    )
    assert ("cpu_bottleneck", "catalog") in {(r["Kind"], r["ServiceName"]) for r in rows}


def test_a_window_with_no_data_has_no_hypotheses(server: RunningServer) -> None:
    """An empty hour answers an empty list, not an error."""
    loaded = server
    params = {"start": SCENARIO_ORIGIN_NS - 5 * HOUR_NS, "end": SCENARIO_ORIGIN_NS - 4 * HOUR_NS}
    answer = httpx.get(loaded.url + "/api/v1/hypotheses", params=params, timeout=60)
    assert answer.status_code == 200
    assert answer.json()["hypotheses"] == []
