"""HTTP health probes: GET a URL on a schedule; record status, latency, size, TLS and errors."""

from nightcall.ingest.probes.check import CheckResult, ErrorType, run_check
from nightcall.ingest.probes.record import check_log, check_points, reported_metrics
from nightcall.ingest.probes.runner import ProbeRunner

__all__ = [
    "CheckResult",
    "ErrorType",
    "ProbeRunner",
    "check_log",
    "check_points",
    "reported_metrics",
    "run_check",
]
