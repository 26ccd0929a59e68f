"""The series a rule reads from the store, each query run once per evaluation round.

A threshold rule reads its series at a step of `window_s` over the last two windows: the last
bucket is the value compared (the one before lets a counter's rate start). An anomaly rule
reads `lookback_s` at diagnosis' step (about 120 points). Service signals come from
nightcall.store.queries_signals, which answers every service at once; a metric is aggregated
with the rule's `agg` and split by the labels the rule matches and groups on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from nightcall.config.alerts import AlertKind, AlertRule
from nightcall.errors import NotFound
from nightcall.model import Series, SeriesKey, SeriesKind
from nightcall.store.queries_metrics import metric_series
from nightcall.store.queries_signals import (
    dependency_series,
    error_event_series,
    log_series,
    span_series,
    step_for,
)
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store

SignalReader: TypeAlias = Callable[[Store, Window, int], list[Series]]
SIGNAL_READERS: dict[str, SignalReader] = {
    "requests": span_series,
    "error_rate": span_series,
    "latency_p95": span_series,
    "calls": dependency_series,
    "call_error_rate": dependency_series,
    "call_latency_p95": dependency_series,
    "log_errors": log_series,
    "log_warnings": log_series,
    "error_events": error_event_series,
}
_CacheKey = tuple[object, ...]


def rule_window(rule: AlertRule, now_ns: int) -> tuple[Window, int]:
    """The window a rule reads and its step, in ns."""
    if rule.kind == AlertKind.ANOMALY:
        window = Window(start_ns=now_ns - int(rule.lookback_s * 1e9), end_ns=now_ns)
        return window, step_for(window)
    step_ns = int(rule.window_s * 1e9)
    return Window(start_ns=now_ns - 2 * step_ns, end_ns=now_ns), step_ns


class SeriesReader:
    """Reads rules' series at one moment; rules that need the same query share its answer."""

    def __init__(self, store: Store, now_ns: int):
        self.store = store
        self.now_ns = now_ns
        self._cache: dict[_CacheKey, list[Series]] = {}

    def read(self, rule: AlertRule) -> list[Series]:
        """The series `rule` watches (every service's; the rule's `match` picks among them)."""
        window, step_ns = rule_window(rule, self.now_ns)
        if not rule.is_metric:
            reader = SIGNAL_READERS[rule.series]
            key: _CacheKey = (reader.__name__, window.start_ns, step_ns)
            if key not in self._cache:
                self._cache[key] = reader(self.store, window, step_ns)
            return [s for s in self._cache[key] if s.key.name == rule.series]
        extra = [k for k, _ in rule.match] + list(rule.group_by)
        group_by = tuple(dict.fromkeys(["service", *extra]))
        key = ("metric", rule.series, rule.agg, group_by, window.start_ns, step_ns)
        if key not in self._cache:
            self._cache[key] = self._metric(rule, window, step_ns, group_by)
        return self._cache[key]

    def _metric(
        self, rule: AlertRule, window: Window, step_ns: int, group_by: tuple[str, ...]
    ) -> list[Series]:
        try:
            answer = metric_series(
                self.store,
                rule.series,
                window,
                step_s=step_ns / 1e9,
                group_by=group_by,
                agg=rule.agg or None,
            )
        except NotFound:  # no points in the window: no data, which resolves the rule's alerts
            return []
        count = max(1, (window.end_ns - window.start_ns) // step_ns)
        times = tuple(window.start_ns + i * step_ns for i in range(count))
        found = []
        for item in answer["series"]:
            labels = tuple(
                sorted((k, v) for k, v in zip(group_by, item["labels"], strict=True) if v)
            )
            by_time = {
                int(p["time_unix_nano"]): float(p["value"])
                for p in item["points"]
                if p["value"] is not None
            }
            found.append(
                Series(
                    key=SeriesKey(name=rule.series, labels=labels),
                    times_ns=times,
                    values=tuple(by_time.get(t, float("nan")) for t in times),
                    kind=SeriesKind.GAUGE,
                    query=f"GET /api/v1/metrics/series?name={rule.series}&agg={answer['agg']}",
                )
            )
        return found
