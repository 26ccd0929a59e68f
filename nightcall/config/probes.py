"""HTTP health probes as configured: `[[probes]]` tables in nightcall.toml.

    [[probes]]
    name = "checkout"
    url = "https://checkout.internal/health"
    interval_s = 15          # default 30
    timeout_s = 3            # default 5
    expected_status = 200    # default 200
    service = "checkout"     # default: the name

`NIGHTCALL_PROBES` may hold the same list as JSON. Every problem is reported with the probe's
position and the bad value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import orjson

from nightcall.errors import ConfigError

_HINT = (
    "each [[probes]] table needs name and an http(s) url; optional: interval_s (> 0), "
    "timeout_s (> 0), expected_status (100-599), service"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeConfig:
    """One HTTP health check: GET `url` every `interval_s`, expecting `expected_status`."""

    name: str
    url: str
    interval_s: float = 30.0
    timeout_s: float = 5.0
    expected_status: int = 200
    service: str = ""

    @property
    def service_name(self) -> str:
        """The service the probe's metrics and logs are filed under."""
        return self.service or self.name


_FIELDS: dict[str, type] = {"name": str, "url": str, "interval_s": float, "timeout_s": float,
           "expected_status": int, "service": str}  # fmt: skip


def _bad(where: str, message: str) -> ConfigError:
    return ConfigError(f"{where}: {message}", location="probes", hint=_HINT)


def _coerce(where: str, key: str, value: object) -> str | float | int:
    kind = _FIELDS[key]
    if kind is str:
        if not isinstance(value, str):
            raise _bad(where, f"{key} is {value!r}, which is not a string")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(where, f"{key} is {value!r}, which is not a number")
    if kind is int:
        if not float(value).is_integer():
            raise _bad(where, f"{key} is {value!r}, which is not a whole number")
        return int(value)
    return float(value)


def _probe(index: int, raw: object) -> ProbeConfig:
    where = f"probe #{index + 1}"
    if not isinstance(raw, Mapping):
        raise _bad(where, f"{raw!r} is not a table of settings")
    unknown = sorted(set(raw) - set(_FIELDS))
    if unknown:
        raise _bad(where, f"unknown key(s) {', '.join(map(repr, unknown))}")
    values = {key: _coerce(where, key, value) for key, value in raw.items()}
    for required in ("name", "url"):
        if not values.get(required):
            raise _bad(where, f"{required} is missing or empty")
    probe = ProbeConfig(**values)  # type: ignore[arg-type]  # keys and types checked above
    where = f"probe {probe.name!r}"
    parts = urlsplit(probe.url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad(where, f"url {probe.url!r} is not an http:// or https:// URL with a host")
    if probe.interval_s <= 0 or probe.timeout_s <= 0:
        raise _bad(where, f"interval_s ({probe.interval_s}) and timeout_s "
                          f"({probe.timeout_s}) must be above 0")  # fmt: skip
    if not 100 <= probe.expected_status <= 599:
        raise _bad(where, f"expected_status {probe.expected_status} is not an HTTP status")
    return probe


def parse_probes(raw: object) -> tuple[ProbeConfig, ...]:
    """Probe settings from TOML's list of tables, or from a JSON string (the environment).

    Raises:
        ConfigError: naming the probe and the bad value.
    """
    if isinstance(raw, str):
        text = raw
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise _bad("probes", f"{text[:200]!r} is not a JSON list of probes ({exc})") from None
    if isinstance(raw, tuple) and all(isinstance(p, ProbeConfig) for p in raw):
        return raw
    if not isinstance(raw, list):
        raise _bad("probes", f"{raw!r} is not a list of [[probes]] tables")
    probes = tuple(_probe(index, item) for index, item in enumerate(raw))
    names = [p.name for p in probes]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise _bad("probes", f"the name(s) {', '.join(map(repr, duplicates))} are used twice")
    return probes
