"""Where alerts are delivered: `[[alert_receivers]]` tables in nightcall.toml.

    [[alert_receivers]]
    name = "oncall"
    url = "https://hooks.slack.com/services/T000/B000/XXXX"
    format = "slack"         # slack: `text` + `blocks`; json (default): nightcall's own payload
    timeout_s = 5            # per attempt; default 5
    max_attempts = 4         # first try and retries, with exponential backoff and jitter
    backoff_s = 1            # the first retry waits about this long, doubling after
    headers = { Authorization = "Bearer ..." }

    [[alert_receivers]]
    name = "audit"
    url = "file:///var/log/nightcall/alerts.jsonl"   # one JSON payload per line

`NIGHTCALL_ALERT_RECEIVERS` may hold the same list as JSON. A rule names its receivers; a rule
that names none goes to every receiver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import orjson

from nightcall.config.alerts import AlertRule
from nightcall.errors import ConfigError

PayloadFormat = Literal["json", "slack"]
_HINT = (
    "each [[alert_receivers]] table needs name and url (http, https or file); optional: "
    "format (json, slack), timeout_s (> 0), max_attempts (1-10), backoff_s (>= 0), headers"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertReceiver:
    """One delivery target: a webhook (http/https) or a JSON-lines file (file://)."""

    name: str
    url: str
    format: PayloadFormat = "json"
    timeout_s: float = 5.0
    max_attempts: int = 4
    backoff_s: float = 1.0
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def is_file(self) -> bool:
        """Whether the receiver appends to a local file instead of calling a webhook."""
        return urlsplit(self.url).scheme == "file"


def _bad(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}", location="alert_receivers", hint=_HINT)


def _receiver(index: int, raw: object) -> AlertReceiver:
    where = f"alert receiver #{index + 1}"
    if not isinstance(raw, Mapping):
        raise _bad(where, f"{raw!r} is not a table of settings")
    unknown = sorted(
        set(raw) - {"name", "url", "format", "timeout_s", "max_attempts", "backoff_s", "headers"}
    )
    if unknown:
        raise _bad(where, f"unknown key(s) {', '.join(map(repr, unknown))}")
    for key in ("name", "url", "format"):
        if key in raw and not isinstance(raw[key], str):
            raise _bad(where, f"{key} is {raw[key]!r}, which is not a string")
    for key in ("timeout_s", "max_attempts", "backoff_s"):
        if key in raw and (isinstance(raw[key], bool) or not isinstance(raw[key], int | float)):
            raise _bad(where, f"{key} is {raw[key]!r}, which is not a number")
    headers = raw.get("headers", {})
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise _bad(where, f"headers is {headers!r}, which is not a table of strings")
    if not raw.get("name") or not raw.get("url"):
        raise _bad(where, "name and url are required")
    attempts = raw.get("max_attempts", 4)
    if float(attempts) != int(attempts):
        raise _bad(where, f"max_attempts is {attempts!r}, which is not a whole number")
    receiver = AlertReceiver(
        name=str(raw["name"]),
        url=str(raw["url"]),
        format=raw.get("format", "json"),
        timeout_s=float(raw.get("timeout_s", 5.0)),
        max_attempts=int(attempts),
        backoff_s=float(raw.get("backoff_s", 1.0)),
        headers=tuple(sorted(headers.items())),
    )
    _check(f"alert receiver {receiver.name!r}", receiver)
    return receiver


def _check(where: str, receiver: AlertReceiver) -> None:
    parts = urlsplit(receiver.url)
    if parts.scheme not in ("http", "https", "file"):
        raise _bad(where, f"url {receiver.url!r} is not an http://, https:// or file:// URL")
    if parts.scheme == "file" and not parts.path:
        raise _bad(where, f"url {receiver.url!r} names no file (file:///path/alerts.jsonl)")
    if parts.scheme != "file" and not parts.hostname:
        raise _bad(where, f"url {receiver.url!r} has no host")
    if receiver.format not in ("json", "slack"):
        raise _bad(where, f"format is {receiver.format!r}; valid: json, slack")
    if receiver.format == "slack" and parts.scheme == "file":
        raise _bad(where, "a file receiver writes the json payload: drop format = 'slack'")
    if receiver.timeout_s <= 0 or receiver.backoff_s < 0:
        raise _bad(
            where,
            f"timeout_s ({receiver.timeout_s}) must be above 0 and backoff_s "
            f"({receiver.backoff_s}) 0 or more",
        )
    if not 1 <= receiver.max_attempts <= 10:
        raise _bad(where, f"max_attempts is {receiver.max_attempts}; use 1 to 10")


def parse_alert_receivers(raw: object) -> tuple[AlertReceiver, ...]:
    """Receivers from TOML's list of tables, or from a JSON string (the environment).

    Raises:
        ConfigError: naming the receiver and the bad value.
    """
    if isinstance(raw, str):
        text = raw
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            message = f"{text[:200]!r} is not a JSON list of receivers ({exc})"
            raise _bad("alert_receivers", message) from None
    if isinstance(raw, tuple) and all(isinstance(r, AlertReceiver) for r in raw):
        return raw
    if not isinstance(raw, list):
        raise _bad("alert_receivers", f"{raw!r} is not a list of [[alert_receivers]] tables")
    receivers = tuple(_receiver(index, item) for index, item in enumerate(raw))
    names = [r.name for r in receivers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        message = f"the name(s) {', '.join(map(repr, duplicates))} are used twice"
        raise _bad("alert_receivers", message)
    return receivers


def check_rule_receivers(rules: Sequence[AlertRule], receivers: Sequence[AlertReceiver]) -> None:
    """Refuse a rule that names a receiver nobody configured.

    Raises:
        ConfigError: naming the rule, the receiver and the configured ones.
    """
    known = {r.name for r in receivers}
    for rule in rules:
        missing = sorted(set(rule.receivers) - known)
        if missing:
            raise ConfigError(
                f"alert rule {rule.name!r} names the receiver(s) {', '.join(map(repr, missing))}, "
                "which are not configured",
                location="alerts",
                hint="configured receivers: "
                + (", ".join(sorted(known)) or "none; add [[alert_receivers]] tables"),
            )
