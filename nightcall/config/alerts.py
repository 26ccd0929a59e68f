"""Alert rules as configured: `[[alerts]]` tables in nightcall.toml, or JSON from the API.

    [[alerts]]
    name = "checkout-errors"
    kind = "threshold"            # threshold | anomaly | hypothesis
    series = "error_rate"         # a service signal (requests, error_rate, latency_p95, ...)
    match = { service = "checkout" }   # or a metric name, with agg = "p95"
    op = ">"
    threshold = 0.05
    window_s = 300                # the value compared is the series over the last 5 minutes
    for_s = 120                   # pending this long before it fires
    severity = "P2"               # P0 (worst) to P4
    runbook_url = "https://wiki.example/runbooks/checkout-errors"
    labels = { team = "payments" }
    group_by = ["service"]        # one alert per service; default: one per series
    receivers = ["oncall"]        # [[alert_receivers]] by name; default: all of them
    open_incident = true

The same fields, as a JSON object, create a rule through `POST /api/v1/alerts/rules`; one parser
validates both, and every problem names the rule and the bad value. docs/alerts.md describes the
fields; a test keeps it in step with `AlertRule`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import orjson

from nightcall.errors import ConfigError
from nightcall.model import HypothesisKind


class AlertKind(StrEnum):
    """What a rule watches."""

    THRESHOLD = "threshold"  # a series' value over the last window_s against a number
    ANOMALY = "anomaly"  # the anomaly detectors' consensus on a series, reaching into window_s
    HYPOTHESIS = "hypothesis"  # the continuous diagnosis proposes a kind of root cause


class Severity(StrEnum):
    """The protocol's priorities, the same scale incidents use: P0 is the worst."""

    P0 = "P0"  # total outage or data loss: wake everyone
    P1 = "P1"  # a core journey broken for many users: page now
    P2 = "P2"  # degraded for some users: page in working hours
    P3 = "P3"  # a warning: a ticket
    P4 = "P4"  # information


Comparison = Literal[">", ">=", "<", "<="]
Direction = Literal["up", "down", "any"]
Labels = tuple[tuple[str, str], ...]
# Per-service series that come from spans, logs and error events (nightcall.store.queries_signals);
# any other series name is a metric, aggregated with `agg`.
SIGNAL_SERIES = ("requests", "error_rate", "latency_p95", "calls", "call_error_rate",
                 "call_latency_p95", "log_errors", "log_warnings", "error_events")  # fmt: skip
METRIC_AGGS = ("avg", "min", "max", "sum", "last", "count", "rate", "p50", "p90", "p95", "p99")
ANY_HYPOTHESIS = "any"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}")
_HINT = (
    "each [[alerts]] table needs name, kind (threshold, anomaly, hypothesis) and, per kind: "
    "series and threshold; series; or hypothesis. See docs/alerts.md"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertRule:
    """One alert rule; the fields a kind does not use keep their defaults."""

    name: str
    kind: AlertKind
    severity: Severity = Severity.P3
    series: str = ""
    agg: str = ""
    match: Labels = ()
    op: Comparison = ">"
    threshold: float = 0.0
    window_s: float = 300.0
    lookback_s: float = 3600.0
    direction: Direction = "any"
    hypothesis: str = ""
    min_confidence: float = 0.5
    for_s: float = 0.0
    renotify_s: float = 14400.0
    runbook_url: str = ""
    summary: str = ""
    labels: Labels = ()
    group_by: tuple[str, ...] = ()
    dedup_key: str = ""
    receivers: tuple[str, ...] = ()
    open_incident: bool = False

    @property
    def is_metric(self) -> bool:
        """Whether `series` names a metric rather than one of the service signals."""
        return self.kind != AlertKind.HYPOTHESIS and self.series not in SIGNAL_SERIES


_TYPES: dict[str, str] = {f.name: str(f.type) for f in dataclasses.fields(AlertRule)}
_ONLY_FOR = {
    "series": None, "agg": None, "window_s": None,
    "threshold": AlertKind.THRESHOLD, "op": AlertKind.THRESHOLD,
    "lookback_s": AlertKind.ANOMALY, "direction": AlertKind.ANOMALY,
    "hypothesis": AlertKind.HYPOTHESIS, "min_confidence": AlertKind.HYPOTHESIS,
}  # fmt: skip
_CHOICES: dict[str, tuple[str, ...]] = {
    "kind": tuple(AlertKind),
    "severity": tuple(Severity),
    "op": get_args(Comparison),
    "direction": get_args(Direction),
}


def _applies(kind: AlertKind, key: str) -> bool:
    """Whether field `key` means something for a rule of `kind`."""
    if key not in _ONLY_FOR:
        return True
    only = _ONLY_FOR[key]
    return kind == only if only else kind != AlertKind.HYPOTHESIS


def _bad(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}", location="alerts", hint=_HINT)


def _labels(where: str, key: str, value: object) -> Labels:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise _bad(where, f'{key} is {value!r}, which is not a table of strings ({{ k = "v" }})')
    return tuple(sorted(value.items()))


def _coerce(where: str, key: str, value: object) -> object:
    kind = _TYPES[key]
    if key in _CHOICES:
        text = value.upper() if key == "severity" and isinstance(value, str) else value
        if text not in _CHOICES[key]:
            choices = ", ".join(_CHOICES[key])
            raise _bad(where, f"{key} is {value!r}; valid: {choices}")
        return AlertKind(text) if key == "kind" else Severity(text) if key == "severity" else text
    if kind == "str":
        if not isinstance(value, str):
            raise _bad(where, f"{key} is {value!r}, which is not a string")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _bad(where, f"{key} is {value!r}; use true or false")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad(where, f"{key} is {value!r}, which is not a number")
        return float(value)
    if kind == "Labels":
        return _labels(where, key, value)
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise _bad(where, f"{key} is {value!r}, which is not a list of strings")
    return tuple(value)


def parse_alert_rule(raw: object, *, where: str = "alert rule") -> AlertRule:
    """One rule from a TOML table or a JSON object.

    Raises:
        ConfigError: naming the rule, the key and the bad value.
    """
    if not isinstance(raw, Mapping):
        raise _bad(where, f"{raw!r} is not a table of settings")
    unknown = sorted(set(raw) - set(_TYPES))
    if unknown:
        raise _bad(where, f"unknown key(s) {', '.join(map(repr, unknown))}")
    values = {key: _coerce(where, key, value) for key, value in raw.items()}
    for required in ("name", "kind"):
        if not values.get(required):
            raise _bad(where, f"{required} is missing or empty")
    rule = AlertRule(**values)  # type: ignore[arg-type]  # keys and types checked above
    _check(f"alert rule {rule.name!r}", rule, set(raw))
    return rule


def _check(where: str, rule: AlertRule, given: set[str]) -> None:
    if not _NAME.fullmatch(rule.name):
        raise _bad(where, "a name is 1-128 letters, digits, '_', '.', ':' or '-'")
    for key in given:
        if not _applies(rule.kind, key):
            raise _bad(where, f"{key} does not apply to a {rule.kind} rule")
    _check_target(where, rule, given)
    if rule.window_s <= 0 or rule.renotify_s <= 0 or rule.for_s < 0:
        raise _bad(where, f"window_s ({rule.window_s}) and renotify_s ({rule.renotify_s}) must "
                          f"be above 0, for_s ({rule.for_s}) 0 or more")  # fmt: skip
    if rule.kind == AlertKind.ANOMALY and rule.lookback_s < 4 * rule.window_s:
        raise _bad(where, f"lookback_s ({rule.lookback_s}) must be at least 4 x window_s: "
                          "the detectors need history to call something unusual")  # fmt: skip
    parts = urlsplit(rule.runbook_url)
    if rule.runbook_url and (parts.scheme not in ("http", "https") or not parts.hostname):
        raise _bad(where, f"runbook_url {rule.runbook_url!r} is not an http(s) URL with a host")


def _check_target(where: str, rule: AlertRule, given: set[str]) -> None:
    """What the rule watches: a hypothesis kind, or a series (and its aggregation)."""
    if rule.kind == AlertKind.HYPOTHESIS:
        kinds = (ANY_HYPOTHESIS, *HypothesisKind)
        if rule.hypothesis not in kinds:
            raise _bad(where, f"hypothesis is {rule.hypothesis!r}; valid: {', '.join(kinds)}")
        if not 0 <= rule.min_confidence <= 1:
            raise _bad(where, f"min_confidence {rule.min_confidence} is not between 0 and 1")
        return
    if not rule.series:
        raise _bad(where, f"a {rule.kind} rule needs series (a signal or a metric name)")
    if rule.kind == AlertKind.THRESHOLD and "threshold" not in given:
        raise _bad(where, "a threshold rule needs threshold (the number to compare with)")
    if rule.agg and not rule.is_metric:
        raise _bad(where, f"agg applies to metrics; {rule.series!r} is a service signal")
    if rule.agg and rule.agg not in METRIC_AGGS:
        raise _bad(where, f"agg is {rule.agg!r}; valid: {', '.join(METRIC_AGGS)}")


def parse_alert_rules(raw: object) -> tuple[AlertRule, ...]:
    """Rules from TOML's list of tables, or from a JSON string (the environment).

    Raises:
        ConfigError: naming the rule and the bad value.
    """
    if isinstance(raw, str):
        text = raw
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise _bad("alerts", f"{text[:200]!r} is not a JSON list of rules ({exc})") from None
    if isinstance(raw, tuple) and all(isinstance(r, AlertRule) for r in raw):
        return raw
    if not isinstance(raw, list):
        raise _bad("alerts", f"{raw!r} is not a list of [[alerts]] tables")
    rules = tuple(
        parse_alert_rule(item, where=f"alert rule #{index + 1}") for index, item in enumerate(raw)
    )
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _bad("alerts", f"the name(s) {', '.join(map(repr, duplicates))} are used twice")
    return rules


def rule_json(rule: AlertRule) -> dict[str, Any]:
    """The rule as the API shows it and the store keeps it; `parse_alert_rule` reads it back."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(AlertRule):
        if not _applies(rule.kind, field.name):
            continue
        value = getattr(rule, field.name)
        if field.name in ("match", "labels"):
            value = dict(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, StrEnum):
            value = value.value
        out[field.name] = value
    return out
