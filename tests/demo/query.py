"""Helpers for the demo tests: send a simulated window to a server, then ask its query API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from nightcall.demo.bundle import send_payloads
from nightcall.demo.faults import Fault, FaultKind, make_fault
from nightcall.demo.simulate import SimConfig, simulate
from tests.conftest import RunningServer

ORIGIN_NS = 1_790_000_000 * 1_000_000_000
NS = 1_000_000_000


@dataclass(frozen=True, slots=True)
class Sent:
    """A simulated window sent to a server: its fault and a client for the query API."""

    server: RunningServer
    fault: Fault | None
    origin_ns: int
    duration_s: float

    def at(self, t_s: float) -> int:
        return self.origin_ns + int(t_s * NS)

    def get(self, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        response = httpx.get(self.server.url + path, params=clean, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()

    def services(self, start_s: float, end_s: float) -> dict[str, dict[str, Any]]:
        answer = self.get("/api/v1/services", start=self.at(start_s), end=self.at(end_s))
        return {s["service"]: s for s in answer["services"]}

    def series(
        self, name: str, start_s: float, end_s: float, **params: Any
    ) -> dict[tuple[str, ...], list[tuple[float, float]]]:
        """Points per label set, as (seconds after the origin, value), None values dropped."""
        answer = self.get(
            f"/api/v1/metrics/{name}/series", start=self.at(start_s), end=self.at(end_s), **params
        )
        return {
            tuple(s["labels"]): [
                ((p["time_unix_nano"] - self.origin_ns) / NS, p["value"])
                for p in s["points"]
                if p["value"] is not None
            ]
            for s in answer["series"]
        }

    def logs(self, start_s: float, end_s: float, **params: Any) -> list[dict[str, Any]]:
        answer = self.get(
            "/api/v1/logs", start=self.at(start_s), end=self.at(end_s), limit=10_000, **params
        )
        logs: list[dict[str, Any]] = answer["logs"]
        return logs

    def error_events(self, start_s: float, end_s: float, **params: Any) -> list[dict[str, Any]]:
        answer = self.get(
            "/api/v1/errors/events",
            start=self.at(start_s),
            end=self.at(end_s),
            limit=10_000,
            **params,
        )
        events: list[dict[str, Any]] = answer["events"]
        return events

    def traces(self, start_s: float, end_s: float, **params: Any) -> list[dict[str, Any]]:
        answer = self.get(
            "/api/v1/traces", start=self.at(start_s), end=self.at(end_s), limit=10_000, **params
        )
        traces: list[dict[str, Any]] = answer["traces"]
        return traces


def send_simulation(
    server: RunningServer,
    kind: FaultKind | None,
    service: str | None = None,
    *,
    duration_s: float = 1200.0,
    fault_start_s: float = 480.0,
    fault_duration_s: float = 480.0,
    rate: float = 4.0,
    seed: int = 7,
) -> Sent:
    """Simulate a window with one fault, send it through OTLP and envelopes, wait until stored."""
    base = SimConfig(seed=seed, origin_ns=ORIGIN_NS, duration_s=duration_s, mean_rate_per_s=rate)
    fault = None
    if kind is not None:
        fault = make_fault(
            kind, service, start_s=fault_start_s, duration_s=fault_duration_s, curve=base.curve
        )
    config = SimConfig(
        seed=seed,
        origin_ns=ORIGIN_NS,
        duration_s=duration_s,
        mean_rate_per_s=rate,
        faults=(fault,) if fault else (),
    )
    payloads, _ = simulate(config)
    report = send_payloads(payloads, server.url)
    assert not report.failures, report.summary()
    server.flush()
    return Sent(server=server, fault=fault, origin_ns=ORIGIN_NS, duration_s=duration_s)
