"""A check result becomes points and, when it failed, a log record."""

from __future__ import annotations

from nightcall.config.probes import ProbeConfig
from nightcall.ingest.log_records import Severity
from nightcall.ingest.metric_points import Sum
from nightcall.ingest.probes import CheckResult, check_log, check_points, reported_metrics

PROBE = ProbeConfig(name="api", url="http://127.0.0.1:1/health")


def test_reported_metrics_fold_numbers_of_the_metrics_object() -> None:
    """Numbers (nested keys joined with dots, booleans as 0/1) are kept; text and NaN are not."""
    body = b'{"metrics": {"a": 1, "b": {"c": 2.5}, "ok": true, "s": "x"}, "other": 3}'
    assert reported_metrics(body, "application/json") == {"a": 1.0, "b.c": 2.5, "ok": 1.0}
    assert reported_metrics(b"not json", "text/plain") == {}
    assert reported_metrics(b'{"metrics": [1, 2]}', "application/json") == {}


def test_a_failed_check_gives_an_error_counter_and_a_log() -> None:
    """A timeout is probe.up 0, a probe.errors delta of 1 with its type, and an ERROR log."""
    result = CheckResult(started_ns=1, duration_s=0.5, error="timeout", detail="timed out")
    points = {p.name: p for p in check_points(PROBE, result, time_ns=2)}
    assert points["probe.up"].value == 0.0  # type: ignore[union-attr]  # a Gauge
    errors = points["probe.errors"]
    assert isinstance(errors, Sum)
    assert (errors.value, errors.attributes["error.type"]) == (1.0, "timeout")
    assert "probe.http.status_code" not in points
    record = check_log(PROBE, result, time_ns=2)
    assert record is not None
    assert record.severity is Severity.ERROR
    assert record.body == f"probe 'api': GET {PROBE.url} failed (timeout): timed out"


def test_an_unexpected_status_is_a_warning_and_success_logs_nothing() -> None:
    """A wrong status is logged at WARN; a good check makes no log record."""
    bad = CheckResult(started_ns=1, duration_s=0.1, status_code=503, body_size=0,
                      error="unexpected_status", detail="status 503, expected 200")  # fmt: skip
    record = check_log(PROBE, bad, time_ns=2)
    assert record is not None
    assert (record.severity, record.attributes["http.response.status_code"]) == (
        Severity.WARN,
        "503",
    )
    good = CheckResult(started_ns=1, duration_s=0.1, status_code=200, body_size=2)
    assert check_log(PROBE, good, time_ns=2) is None
