"""A small instrumented shop with injectable faults: the first run, and labelled ground truth.

Live mode runs the services as processes with the real OpenTelemetry SDK and sentry-sdk;
simulated mode computes the same system's telemetry with explicit timestamps; the scenario set
is a fixed list of simulated incidents written to files and replayed through the protocols.
"""

from nightcall.demo.bundle import Payload, SendReport, read_payloads, send_payloads, write_payloads
from nightcall.demo.effects import Conditions, conditions_at
from nightcall.demo.faults import CATALOGUE, Fault, FaultKind, expected_signals, make_fault
from nightcall.demo.live import LiveOptions, LiveResult, run_live
from nightcall.demo.scenarios import ScenarioSpec, replay, scenario_specs, write_scenario
from nightcall.demo.simulate import SimConfig, SimStats, simulate
from nightcall.demo.topology import ServiceSpec
from nightcall.demo.truth import read_truth, run_truth, write_truth

__all__ = [
    "CATALOGUE",
    "Conditions",
    "Fault",
    "FaultKind",
    "LiveOptions",
    "LiveResult",
    "Payload",
    "ScenarioSpec",
    "SendReport",
    "ServiceSpec",
    "SimConfig",
    "SimStats",
    "conditions_at",
    "expected_signals",
    "make_fault",
    "read_payloads",
    "read_truth",
    "replay",
    "run_live",
    "run_truth",
    "scenario_specs",
    "send_payloads",
    "simulate",
    "write_payloads",
    "write_scenario",
    "write_truth",
]
