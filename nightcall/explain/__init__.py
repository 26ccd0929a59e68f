"""Explaining: findings become ranked hypotheses with evidence, steps and confidence."""

from nightcall.explain.diagnosis import (
    Diagnosis,
    DiagnosisConfig,
    diagnose,
    diagnose_telemetry,
    measure_shifts,
)
from nightcall.explain.telemetry import SIGNALS, Telemetry, read_telemetry

__all__ = [
    "SIGNALS",
    "Diagnosis",
    "DiagnosisConfig",
    "Telemetry",
    "diagnose",
    "diagnose_telemetry",
    "measure_shifts",
    "read_telemetry",
]
