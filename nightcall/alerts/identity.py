"""Who an alert is: its group's labels, its group key, its dedup key and its full label set.

A rule makes one alert per group. With `group_by`, a group is the series' values of those
labels (every series of a service, say, is one alert); without, every series is its own group.
The dedup key defaults to the group key; a template (`"{service}-down"`) lets alerts of several
rules share one notification.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nightcall.config.alerts import AlertRule, Labels
from nightcall.model import SeriesKey

_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")


def fill_template(text: str, values: Mapping[str, str]) -> str:
    """`text` with each `{name}` replaced by its value ("" for a name without one)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), text)


def group_labels(rule: AlertRule, labels: Labels) -> Labels:
    """The labels that make a series' group under `rule` (all of them without group_by)."""
    if not rule.group_by:
        return labels
    found = dict(labels)
    return tuple(sorted((key, found.get(key, "")) for key in rule.group_by))


def matches(labels: Labels, match: Labels) -> bool:
    """Whether `labels` hold every label of `match` with the same value."""
    present = dict(labels)
    return all(present.get(key) == value for key, value in match)


def group_key(rule: AlertRule, labels: Labels) -> str:
    """The identity of one group's alert: `rule{label="value",...}`."""
    return str(SeriesKey(name=rule.name, labels=labels))


def alert_labels(rule: AlertRule, labels: Labels) -> Labels:
    """The labels silences match: the group's, the rule's own, `alertname` and `severity`."""
    merged = {**dict(labels), **dict(rule.labels)}
    merged["alertname"] = rule.name
    merged["severity"] = rule.severity.value
    return tuple(sorted(merged.items()))


def dedup_key(rule: AlertRule, labels: Labels) -> str:
    """The notification key: the rule's template filled from the labels, else the group key."""
    if not rule.dedup_key:
        return group_key(rule, labels)
    return fill_template(rule.dedup_key, {**dict(alert_labels(rule, labels)), "rule": rule.name})
