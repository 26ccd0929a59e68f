"""`[[alerts]]` in nightcall.toml and rule JSON: loaded, validated per kind, documented."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from nightcall.config import load_settings
from nightcall.config.alerts import AlertKind, AlertRule, Severity, parse_alert_rule, rule_json
from nightcall.errors import ConfigError

DOCS = Path(__file__).parents[2] / "docs" / "alerts.md"


def test_rules_load_beside_a_server_table(tmp_path: Path) -> None:
    """[[alerts]] and [[alert_receivers]] load next to [server], with defaults filled in."""
    config = tmp_path / "nightcall.toml"
    config.write_text(
        '[server]\nport = 5000\n\n[[alerts]]\nname = "errors"\nkind = "threshold"\n'
        'series = "error_rate"\nthreshold = 0.05\nmatch = { service = "checkout" }\n'
        'severity = "p1"\nreceivers = ["oncall"]\nopen_incident = true\n\n'
        '[[alert_receivers]]\nname = "oncall"\nurl = "https://hooks.example/x"\n'
        'format = "slack"\n'
    )
    settings, sources = load_settings(config_path=config, environ={})
    assert settings.alerts == (
        AlertRule(name="errors", kind=AlertKind.THRESHOLD, series="error_rate", threshold=0.05,
                  match=(("service", "checkout"),), severity=Severity.P1,
                  receivers=("oncall",), open_incident=True),
    )  # fmt: skip
    assert settings.alert_receivers[0].format == "slack"
    assert sources["alerts"] == sources["alert_receivers"] == str(config)
    assert settings.alerts_interval_s == 30.0


def test_rules_come_from_the_environment_as_json() -> None:
    """NIGHTCALL_ALERTS holds the same list as JSON."""
    settings, _ = load_settings(environ={
        "NIGHTCALL_ALERTS": '[{"name": "leak", "kind": "hypothesis", "hypothesis": "memory_leak"}]',
        "NIGHTCALL_ALERTS_INTERVAL_S": "5",
    })  # fmt: skip
    assert settings.alerts[0].hypothesis == "memory_leak"
    assert settings.alerts_interval_s == 5.0


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"kind": "threshold"}, "alert rule #1: name is missing"),
        ({"name": "a b", "kind": "anomaly", "series": "x"}, "a name is 1-128 letters"),
        ({"name": "a", "kind": "guess"}, "kind is 'guess'; valid: threshold, anomaly, hypothesis"),
        ({"name": "a", "kind": "threshold", "series": "x"}, "needs threshold"),
        ({"name": "a", "kind": "threshold", "threshold": 1}, "needs series"),
        ({"name": "a", "kind": "anomaly", "series": "x", "threshold": 1},
         "threshold does not apply to a anomaly rule"),
        ({"name": "a", "kind": "hypothesis", "hypothesis": "gremlins"}, "hypothesis is 'gremlins'"),
        ({"name": "a", "kind": "hypothesis", "hypothesis": "any", "series": "x"},
         "series does not apply"),
        ({"name": "a", "kind": "threshold", "series": "error_rate", "threshold": 1, "agg": "p95"},
         "agg applies to metrics"),
        ({"name": "a", "kind": "threshold", "series": "m", "threshold": 1, "agg": "median"},
         "agg is 'median'"),
        ({"name": "a", "kind": "threshold", "series": "m", "threshold": "high"},
         "threshold is 'high', which is not a number"),
        ({"name": "a", "kind": "threshold", "series": "m", "threshold": 1, "severity": "P9"},
         "severity is 'P9'; valid: P0, P1, P2, P3, P4"),
        ({"name": "a", "kind": "threshold", "series": "m", "threshold": 1, "for_s": -1},
         "for_s (-1.0) 0 or more"),
        ({"name": "a", "kind": "anomaly", "series": "m", "window_s": 900, "lookback_s": 1800},
         "lookback_s (1800.0) must be at least 4 x window_s"),
        ({"name": "a", "kind": "threshold", "series": "m", "threshold": 1, "match": {"a": 1}},
         "match is {'a': 1}, which is not a table of strings"),
        ({"name": "a", "kind": "threshold", "series": "m", "threshold": 1,
          "runbook_url": "wiki/page"}, "runbook_url 'wiki/page' is not an http(s) URL"),
        ({"name": "a", "kind": "threshold", "series": "m", "threshold": 1, "color": "red"},
         "unknown key(s) 'color'"),
    ],
)  # fmt: skip
def test_bad_rules_are_refused_naming_the_value(rule: dict[str, object], message: str) -> None:
    """Each mistake is named with the rule and the value, and the hint points at the docs."""
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={}, overrides={"alerts": [rule]})
    assert message in caught.value.message
    assert caught.value.hint is not None


def test_duplicate_names_and_unknown_receivers_are_refused() -> None:
    """Two rules of one name, or a rule naming a receiver nobody configured, are refused."""
    rule = {"name": "a", "kind": "hypothesis", "hypothesis": "any"}
    with pytest.raises(ConfigError, match="the name\\(s\\) 'a' are used twice"):
        load_settings(environ={}, overrides={"alerts": [rule, rule]})
    with pytest.raises(ConfigError, match="names the receiver\\(s\\) 'pager'"):
        load_settings(environ={}, overrides={"alerts": [{**rule, "receivers": ["pager"]}]})


@pytest.mark.parametrize(
    "raw",
    [
        {"name": "t", "kind": "threshold", "series": "http.server.duration", "agg": "p99",
         "threshold": 250, "op": ">=", "group_by": ["service"], "labels": {"team": "web"},
         "dedup_key": "{service}-slow", "window_s": 120, "summary": "{service} p99 {value}"},
        {"name": "an", "kind": "anomaly", "series": "requests", "direction": "down",
         "lookback_s": 7200},
        {"name": "h", "kind": "hypothesis", "hypothesis": "slow_dependency",
         "min_confidence": 0.7, "for_s": 60, "open_incident": True},
    ],
)  # fmt: skip
def test_rule_json_reads_back_as_the_same_rule(raw: dict[str, object]) -> None:
    """What the API shows and the store keeps parses back to the rule it came from."""
    rule = parse_alert_rule(raw)
    assert parse_alert_rule(rule_json(rule)) == rule


def test_docs_describe_every_rule_field() -> None:
    """docs/alerts.md has a row for each field of AlertRule, so the two cannot drift."""
    text = DOCS.read_text()
    missing = [f.name for f in dataclasses.fields(AlertRule) if f"| `{f.name}` |" not in text]
    assert not missing, f"docs/alerts.md lacks rows for {missing}"
