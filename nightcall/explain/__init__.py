"""Explaining: findings become ranked hypotheses with evidence, steps and confidence."""

from nightcall.explain.diagnosis import (
    Diagnosis,
    DiagnosisConfig,
    diagnose,
    diagnose_telemetry,
    measure_shifts,
)
from nightcall.explain.telemetry import SIGNALS, Telemetry, read_telemetry

__all__ = [  # noqa: RUF022  # plain sorted(), as tests/test_architecture.py checks
    "Diagnosis",
    "DiagnosisConfig",
    "SIGNALS",
    "Telemetry",
    "diagnose",
    "diagnose_telemetry",
    "measure_shifts",
    "read_telemetry",
]
