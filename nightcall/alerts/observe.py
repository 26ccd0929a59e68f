"""What a rule sees in the data: one `Observation` per group, pure functions of their inputs.

Threshold: each matching series' last value inside the rule's window (the series over the last
`window_s`, as the store reduced it) against the threshold; a group breaches when any of its
series does, and reports its worst value. Anomaly: the detectors' consensus (an ANOMALY
finding, not a recurring pattern) on a matching series, reaching into the last `window_s`.
Hypothesis: the diagnosis' latest hypotheses of the rule's kind, at or above its confidence.
A group with no observation this round is not breaching: its alert resolves.
"""

from __future__ import annotations

import math
import operator
from collections import defaultdict
from collections.abc import Callable, Sequence

from nightcall.alerts.identity import fill_template, group_labels, matches
from nightcall.alerts.records import Observation
from nightcall.analysis.anomalies import AnomalyConfig, detect_anomalies
from nightcall.config.alerts import ANY_HYPOTHESIS, AlertKind, AlertRule, Labels
from nightcall.model import Direction, FindingKind, Hypothesis, Series
from nightcall.store.queries_traces import Window

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def _describe(rule: AlertRule, labels: Labels, value: float, default: str) -> str:
    if not rule.summary:
        return default
    values = {
        **dict(labels),
        "rule": rule.name,
        "value": f"{value:.4g}",
        "threshold": f"{rule.threshold:g}",
        "series": rule.series,
    }
    return fill_template(rule.summary, values)


def _last_value(series: Series, since_ns: int, now_ns: int) -> float | None:
    for time_ns, value in zip(reversed(series.times_ns), reversed(series.values), strict=True):
        if time_ns < since_ns:
            return None
        if time_ns < now_ns and math.isfinite(value):
            return value
    return None


def observe_threshold(rule: AlertRule, series: Sequence[Series], now_ns: int) -> list[Observation]:
    """Per group: the worst last value of its matching series, and whether it breaches."""
    compare = _OPS[rule.op]
    since_ns = now_ns - int(rule.window_s * 1e9)
    by_group: dict[Labels, list[tuple[float, Series]]] = defaultdict(list)
    for one in series:
        if one.key.name != rule.series or not matches(one.key.labels, rule.match):
            continue
        value = _last_value(one, since_ns, now_ns)
        if value is not None:
            by_group[group_labels(rule, one.key.labels)].append((value, one))
    observations = []
    for labels, values in sorted(by_group.items()):
        pick = max if rule.op in (">", ">=") else min
        value, worst = pick(values, key=lambda pair: pair[0])
        unit = f" {worst.unit}" if worst.unit and worst.unit != "1" else ""
        default = (
            f"{worst.key} is {value:.4g}{unit} ({rule.op} {rule.threshold:g}) over the "
            f"last {rule.window_s:g} s"
        )
        observations.append(
            Observation(
                group_labels=labels,
                value=value,
                is_breaching=compare(value, rule.threshold),
                summary=_describe(rule, labels, value, default),
            )
        )
    return observations


def observe_anomalies(
    rule: AlertRule,
    series: Sequence[Series],
    now_ns: int,
    config: AnomalyConfig | None = None,
) -> list[Observation]:
    """Per group: whether a consensus anomaly on a matching series reaches into the window.

    The series should cover the rule's `lookback_s` before `now_ns`: the part before the
    window is the detectors' baseline.
    """
    window = Window(start_ns=now_ns - int(rule.lookback_s * 1e9), end_ns=now_ns)
    since_ns = now_ns - int(rule.window_s * 1e9)
    by_group: dict[Labels, list[Observation]] = defaultdict(list)
    for one in series:
        if one.key.name != rule.series or not matches(one.key.labels, rule.match):
            continue
        findings = [
            f
            for f in detect_anomalies(one, window, config=config)
            if f.kind == FindingKind.ANOMALY
            and not f.is_recurring
            and f.end_ns >= since_ns
            and (rule.direction == "any" or f.direction == Direction(rule.direction))
        ]
        labels = group_labels(rule, one.key.labels)
        if findings:
            latest = max(findings, key=lambda f: f.end_ns)
            value = latest.observed if latest.observed is not None else latest.score
            summary = _describe(rule, labels, value, f"{one.key}: {latest.summary}")
            by_group[labels].append(
                Observation(group_labels=labels, value=value, is_breaching=True, summary=summary)
            )
        else:
            by_group[labels].append(
                Observation(group_labels=labels, value=math.nan, is_breaching=False, summary="")
            )
    return [
        next((o for o in group if o.is_breaching), group[0])
        for _, group in sorted(by_group.items())
    ]


def observe_hypotheses(rule: AlertRule, hypotheses: Sequence[Hypothesis]) -> list[Observation]:
    """Per group: the most confident matching hypothesis of the diagnosis' latest round."""
    best: dict[Labels, Hypothesis] = {}
    for hypothesis in hypotheses:
        kind = hypothesis.kind.value
        if rule.hypothesis not in (ANY_HYPOTHESIS, kind):
            continue
        if hypothesis.confidence < rule.min_confidence:
            continue
        labels = tuple(
            sorted(
                {
                    "service": hypothesis.service,
                    "hypothesis": kind,
                    "target": hypothesis.target,
                }.items()
            )
        )
        if not matches(labels, rule.match):
            continue
        grouped = group_labels(rule, tuple(kv for kv in labels if kv[1]))
        held = best.get(grouped)
        if held is None or hypothesis.confidence > held.confidence:
            best[grouped] = hypothesis
    return [
        Observation(
            group_labels=labels,
            value=h.confidence,
            is_breaching=True,
            summary=_describe(
                rule, labels, h.confidence, f"{h.statement} (confidence {h.confidence:.2f})"
            ),
        )
        for labels, h in sorted(best.items())
    ]


def observe(
    rule: AlertRule,
    series: Sequence[Series],
    hypotheses: Sequence[Hypothesis],
    now_ns: int,
    config: AnomalyConfig | None = None,
) -> list[Observation]:
    """The observations of any rule, by its kind."""
    if rule.kind == AlertKind.THRESHOLD:
        return observe_threshold(rule, series, now_ns)
    if rule.kind == AlertKind.ANOMALY:
        return observe_anomalies(rule, series, now_ns, config)
    return observe_hypotheses(rule, hypotheses)
