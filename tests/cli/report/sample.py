"""A small, fixed set of API answers: two services, one hour in four steps.

Payment's TLS certificate expired at 03:30: its error rate jumps, checkout's calls to it fail
with it, and a weak periodic hypothesis names checkout. The window is fixed and so is the clock.
"""

from __future__ import annotations

from typing import Any

from nightcall.cli.report import ReportInputs
from nightcall.cli.report.resources import pick_resource_metrics

START_NS = 1_793_502_000_000_000_000  # 2026-11-01T03:00:00Z
MINUTE_NS = 60 * 1_000_000_000
END_NS = START_NS + 60 * MINUTE_NS
STEP_NS = 15 * MINUTE_NS
GENERATED_NS = END_NS + 5 * MINUTE_NS


def _red(
    service: str, requests: int, errors: int, p95_ms: float | None, seconds: float
) -> dict[str, Any]:
    return {"service": service, "requests": requests, "request_rate_per_s": requests / seconds,
            "errors": errors, "error_rate": errors / requests if requests else 0.0,
            "p50_ms": p95_ms and p95_ms / 2, "p95_ms": p95_ms, "p99_ms": p95_ms and p95_ms * 2,
            "spans": requests * 3, "error_spans": errors * 2}  # fmt: skip


def _series(labels: list[str], values: list[float | None]) -> dict[str, Any]:
    points = [{"time_unix_nano": START_NS + i * STEP_NS, "value": v} for i, v in enumerate(values)]
    return {"labels": labels, "points": points}


CATALOGUE = [
    {"name": "process.cpu.utilization", "type": "gauge", "unit": "1", "monotonic": False,
     "attribute_keys": [], "services": ["checkout", "payment"]},
    {"name": "process.memory.usage", "type": "sum", "unit": "By", "monotonic": False,
     "attribute_keys": [], "services": ["checkout", "payment"]},
    {"name": "db.client.connections.usage", "type": "sum", "unit": "{connection}",
     "monotonic": False, "attribute_keys": ["pool.name", "state"], "services": ["payment"]},
    {"name": "http.server.request.duration", "type": "histogram", "unit": "s", "monotonic": False,
     "attribute_keys": ["http.route"], "services": ["checkout", "payment"]},
    {"name": "process.uptime", "type": "gauge", "unit": "s", "monotonic": False,
     "attribute_keys": [], "services": ["checkout"]},
]  # fmt: skip
SERIES = {
    "process.cpu.utilization": [_series(["checkout"], [0.21, 0.25, 0.22, 0.2]),
                                _series(["payment"], [0.1, 0.12, None, 0.11])],
    "process.memory.usage": [_series(["checkout"], [1.5e8, 1.52e8, 1.51e8, 1.5e8]),
                             _series(["payment"], [4.2e8, 4.3e8, 4.4e8, 4.5e8])],
    "db.client.connections.usage": [_series(["payment", "idle", "payment-db"], [5, 5, 2, 1]),
                                    _series(["payment", "used", "payment-db"], [1, 1, 4, 5])],
}  # fmt: skip


def _anomaly(service: str, series: str, name: str, *, onset_min: int, baseline: float,
             observed: float, unit: str, score: float, recurring: bool = False,
             dependency: str | None = None, query: str = "GET /api/v1/traces?service={service}",
             ) -> dict[str, Any]:  # fmt: skip
    labels = {"service": service, **({"dependency": dependency} if dependency else {})}
    onset = START_NS + onset_min * MINUTE_NS
    return {"series": series, "name": name, "labels": labels, "service": service,
            "direction": "up", "voters": ["changepoint", "threshold"], "recurring": recurring,
            "onset_unix_nano": onset, "start_unix_nano": onset - 2 * MINUTE_NS,
            "end_unix_nano": min(END_NS, onset + 20 * MINUTE_NS), "score": score,
            "baseline": baseline, "observed": observed, "unit": unit, "query": query}  # fmt: skip


ANOMALIES = [
    _anomaly("payment", 'error_rate{service="payment"}', "error_rate", onset_min=31,
             baseline=0.01, observed=0.35, unit="1", score=9.5),
    _anomaly("checkout", 'call_error_rate{dependency="payment",service="checkout"}',
             "call_error_rate", onset_min=31, baseline=0.0, observed=0.3, unit="1", score=7.25,
             dependency="payment"),
    _anomaly("checkout", 'log_warnings{service="checkout"}', "log_warnings", onset_min=40,
             baseline=0.0, observed=0.2, unit="1/s", score=3.1,
             query="GET /api/v1/logs?service={service}&severity=warn"),
    _anomaly("checkout", 'requests{service="checkout"}', "requests", onset_min=5,
             baseline=0.8, observed=1.6, unit="1/s", score=2.0, recurring=True),
]  # fmt: skip
HYPOTHESES = [
    {"rank": 1, "kind": "certificate_expiry", "service": "payment", "confidence": 0.82,
     "statement": "a TLS certificate that payment checks has expired: 96 lines say so",
     "impact": "callers affected: checkout (error rate 1 % -> 30 %)",
     "onset_unix_nano": START_NS + 30 * MINUTE_NS,
     "evidence": [{"label": "log template", "value": 96,
                   "detail": "TLS handshake with api.paygate.example:443 failed: <*> expired"},
                  {"label": 'error_rate{service="payment"}', "value": 0.35}],
     "steps": ["Read the certificate payment is offered: `openssl s_client -connect HOST:443`",
               "Check which CA bundle payment trusts", "Find every caller of the endpoint",
               "A fourth step the report leaves out"],
     "stabilize": ["Renew and deploy the certificate", "Fail over to a valid endpoint"]},
    {"rank": 2, "kind": "periodic_issue", "service": "checkout", "confidence": 0.12,
     "statement": "checkout has bursts every 900 s in requests", "impact": "",
     "onset_unix_nano": START_NS + 30 * MINUTE_NS, "evidence": [{"label": "period", "value": 900}],
     "steps": ["Find what is scheduled with that period"], "stabilize": ["Move the job off-peak"]},
]  # fmt: skip


def _group(fingerprint: str, title: str, services: list[str], count: int, *, new: bool = False,
           regression: bool = False, level: str = "error") -> dict[str, Any]:  # fmt: skip
    return {"fingerprint": fingerprint, "title": title, "level": level, "services": services,
            "count": count, "first_seen_unix_nano": START_NS + 31 * MINUTE_NS,
            "is_new": new, "is_regression": regression}  # fmt: skip


ERRORS = [
    _group("a" * 32, "SSLCertVerificationError: certificate verify failed", ["payment"], 40,
           new=True),
    _group("b" * 32, "UpstreamError: payment answered 502 | retrying", ["checkout", "payment"],
           12),
    _group("c" * 32, "KeyError: 'currency'", ["checkout"], 3, regression=True),
]  # fmt: skip
TEMPLATES = [
    {"service": "checkout", "template_id": "01", "template": "POST /checkout <*> <*>",
     "count": 3000, "severity": "INFO", "is_new": False,
     "first_seen_unix_nano": START_NS - 600 * MINUTE_NS},
    {"service": "checkout", "template_id": "02", "template": "payment call failed, retrying",
     "count": 90, "severity": "WARNING", "is_new": False,
     "first_seen_unix_nano": START_NS - 300 * MINUTE_NS},
    {"service": "payment", "template_id": "03",
     "template": "TLS handshake with <*> failed: certificate has expired", "count": 96,
     "severity": "ERROR", "is_new": True, "first_seen_unix_nano": START_NS + 30 * MINUTE_NS},
    {"service": "payment", "template_id": "04", "template": "POST /charge <*> <*>",
     "count": 1500, "severity": "info", "is_new": False,
     "first_seen_unix_nano": START_NS - 600 * MINUTE_NS},
]  # fmt: skip


def sample_inputs() -> ReportInputs:
    """The API answers of the sample hour."""
    step_s = STEP_NS / 1e9
    steps = [
        [_red("checkout", 900, 5, 110.0, step_s), _red("payment", 450, 4, 300.0, step_s)],
        [_red("checkout", 900, 4, 115.0, step_s), _red("payment", 450, 5, 310.0, step_s)],
        [_red("checkout", 900, 14, 140.0, step_s), _red("payment", 450, 90, 1400.0, step_s)],
        [_red("checkout", 900, 13, 135.0, step_s), _red("payment", 450, 81, 1350.0, step_s)],
    ]
    metrics = [(m, {"series": SERIES[m.name]}) for m in pick_resource_metrics(CATALOGUE)]
    window = {"start_unix_nano": START_NS, "end_unix_nano": END_NS, "step_s": 30.0}
    return ReportInputs(
        start_ns=START_NS,
        end_ns=END_NS,
        step_ns=STEP_NS,
        services=[
            _red("checkout", 3600, 36, 130.5, 3600),
            _red("payment", 1800, 180, 1380.0, 3600),
        ],
        red_steps=steps,
        metrics=metrics,
        anomalies={"anomalies": ANOMALIES},
        hypotheses={
            "hypotheses": HYPOTHESES,
            "window": window,
            "series": 42,
            "onset_unix_nano": START_NS + 30 * MINUTE_NS,
        },
        recent=None,
        errors={"errors": ERRORS, "events_total": 55, "events_analysed": 55, "truncated": False},
        errors_by_service={
            "checkout": {"errors": [ERRORS[1] | {"count": 5}, ERRORS[2]]},
            "payment": {"errors": [ERRORS[0], ERRORS[1] | {"count": 7}]},
        },
        templates=TEMPLATES,
    )
