"""Typed diagnostic parameters and their validation: the only values that reach a command line.

Every value a caller passes (over the API, from the CLI or from a hypothesis) goes through
`validate_params` before anything runs. A value is accepted only in its canonical shape: a pid is
the decimal number of a running process, a host a DNS name or an IP address (never starting with
`-`, so it cannot be read as an option), a port 1-65535, a URL http(s) to a loopback or
allow-listed host, a duration within the diagnostic's bounds. Anything else is a `BadRequest`
that names the parameter, the value and what would be accepted.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias
from urllib.parse import urlsplit

import psutil

from nightcall.errors import BadRequest

ParamValue: TypeAlias = int | float | str
Params: TypeAlias = Mapping[str, ParamValue]

MAX_PID = 4_194_304  # Linux's largest pid_max (2**22)
MAX_URL_CHARS = 2048
_DIGITS = re.compile(r"[0-9]{1,10}")
_NUMBER = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,6})?")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_URL_CHARS = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no space or control character
LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost"})


class ParamKind(StrEnum):
    """The parameter types a diagnostic can take; each is also the parameter's name."""

    PID = "pid"
    HOST = "host"
    PORT = "port"
    URL = "url"
    DURATION_S = "duration_s"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamSpec:
    """One parameter of a diagnostic: its kind, whether it is required, default and bounds."""

    kind: ParamKind
    required: bool = False
    default: ParamValue | None = None
    minimum: float = 0.0  # duration_s only
    maximum: float = 0.0  # duration_s only
    integer: bool = False  # duration_s only: whole seconds (it reaches a command line)
    connects: bool = False  # host only: the diagnostic connects to it, so the policy applies
    help: str = ""

    @property
    def name(self) -> str:
        return str(self.kind)

    def describe(self) -> str:
        """`pid (required)`, `duration_s (1-30 s, default 5)`: for messages."""
        parts = []
        if self.kind == ParamKind.DURATION_S:
            parts.append(f"{self.minimum:g}-{self.maximum:g} s")
        parts.append("required" if self.required else f"default {self.default}")
        return f"{self.name} ({', '.join(parts)})"

    def to_json(self) -> dict[str, object]:
        item: dict[str, object] = {"name": self.name, "required": self.required}
        if self.default is not None:
            item["default"] = self.default
        if self.kind == ParamKind.DURATION_S:
            item |= {"minimum": self.minimum, "maximum": self.maximum, "integer": self.integer}
        if self.help:
            item["help"] = self.help
        return item


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """What network diagnostics may reach, and how pids are checked.

    `http_probe` and `tls_certificate` connect only to loopback and to `allowed_hosts`, unless
    `allow_any_host` (the CLI, run by a person on their own machine, sets it).
    """

    allowed_hosts: frozenset[str] = frozenset()
    allow_any_host: bool = False
    pid_exists: Callable[[int], bool] = field(default=psutil.pid_exists)

    def may_connect(self, host: str) -> bool:
        return self.allow_any_host or is_loopback(host) or host.lower() in self.allowed_hosts


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine's loopback interface (no DNS lookup)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(spec: ParamSpec, value: object, why: str, hint: str) -> BadRequest:
    return BadRequest(
        f"parameter {spec.name} = {value!r} is refused: {why}",
        location=f"params.{spec.name}",
        hint=hint,
    )


def _integer(spec: ParamSpec, value: object, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _refuse(spec, value, "it is not a whole number", hint)
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            raise _refuse(spec, value, "it is not a decimal number", hint)
        return int(value)
    return value


def validate_pid(spec: ParamSpec, value: object, policy: Policy) -> int:
    hint = "pass the pid of a running process on this host (e.g. from `ps` or process.pid)"
    pid = _integer(spec, value, hint)
    if not 1 <= pid <= MAX_PID:
        raise _refuse(spec, value, f"a pid is 1-{MAX_PID}", hint)
    if not policy.pid_exists(pid):
        raise _refuse(spec, value, "no process with that pid runs on this host", hint)
    return pid


def validate_host(spec: ParamSpec, value: object, policy: Policy) -> str:
    hint = "pass a DNS name (letters, digits, '-' and '.') or an IPv4/IPv6 address"
    if not isinstance(value, str) or not 0 < len(value) <= 253:
        raise _refuse(spec, value, "a host is a name or address of 1-253 characters", hint)
    if ":" in value and "%" not in value:
        try:
            host = str(ipaddress.IPv6Address(value))
        except ValueError:
            raise _refuse(spec, value, "it is not an IPv6 address", hint) from None
    elif _HOSTNAME.fullmatch(value):
        host = value.lower()
    else:
        raise _refuse(spec, value, "it is not a DNS name or an IP address", hint)
    if spec.connects and not policy.may_connect(host):
        raise _refuse(
            spec,
            value,
            f"{host} is neither loopback nor an allowed host",
            "add it to diagnostics_allowed_hosts (nightcall.toml) to let diagnostics connect",
        )
    return host


def validate_port(spec: ParamSpec, value: object, policy: Policy) -> int:
    hint = "pass a TCP port, 1-65535"
    port = _integer(spec, value, hint)
    if not 1 <= port <= 65535:
        raise _refuse(spec, value, "a port is 1-65535", hint)
    return port


def validate_url(spec: ParamSpec, value: object, policy: Policy) -> str:
    hint = "pass an http:// or https:// URL to a loopback host or one in diagnostics_allowed_hosts"
    if not isinstance(value, str) or not 0 < len(value) <= MAX_URL_CHARS:
        raise _refuse(spec, value, f"a URL is a string of 1-{MAX_URL_CHARS} characters", hint)
    if not _URL_CHARS.fullmatch(value):
        raise _refuse(spec, value, "it holds spaces, control or non-ASCII characters", hint)
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise _refuse(spec, value, f"it is not a URL ({exc})", hint) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise _refuse(spec, value, f"the scheme {parts.scheme!r} is not http or https", hint)
    if parts.username is not None or parts.password is not None:
        raise _refuse(spec, value, "credentials in a URL are not sent by diagnostics", hint)
    if not parts.hostname:
        raise _refuse(spec, value, "it names no host", hint)
    try:
        host = validate_host(ParamSpec(kind=ParamKind.HOST), parts.hostname, policy)
    except BadRequest:
        raise _refuse(
            spec, value, f"its host {parts.hostname!r} is not a name or IP", hint
        ) from None
    if port == 0:
        raise _refuse(spec, value, "port 0 cannot be probed", hint)
    if not policy.may_connect(host):
        raise _refuse(spec, value, f"{host} is neither loopback nor an allowed host", hint)
    return value


def validate_duration(spec: ParamSpec, value: object, policy: Policy) -> int | float:
    bounds = f"{spec.minimum:g}-{spec.maximum:g}"
    hint = f"pass a number of seconds, {bounds}" + (" (whole seconds)" if spec.integer else "")
    number: float
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _refuse(spec, value, "it is not a number of seconds", hint)
    if isinstance(value, str):
        if not _NUMBER.fullmatch(value):
            raise _refuse(spec, value, "it is not a decimal number", hint)
        number = float(value)
    else:
        number = float(value)
    if not math.isfinite(number) or not spec.minimum <= number <= spec.maximum:
        raise _refuse(spec, value, f"it is outside {bounds} s", hint)
    if spec.integer:
        if not number.is_integer():
            raise _refuse(spec, value, "this diagnostic takes whole seconds", hint)
        return int(number)
    return number


_VALIDATORS: dict[ParamKind, Callable[[ParamSpec, object, Policy], ParamValue]] = {
    ParamKind.PID: validate_pid,
    ParamKind.HOST: validate_host,
    ParamKind.PORT: validate_port,
    ParamKind.URL: validate_url,
    ParamKind.DURATION_S: validate_duration,
}


def validate_params(
    diagnostic: str,
    specs: Collection[ParamSpec],
    raw: Mapping[str, object],
    policy: Policy,
) -> dict[str, ParamValue]:
    """The validated values of `raw` for `specs`, defaults filled in.

    Raises:
        BadRequest: a parameter is unknown, missing, or has a value outside its type.
    """
    by_name = {spec.name: spec for spec in specs}
    choices = ", ".join(spec.describe() for spec in specs) or "none"
    for name in raw:
        if name not in by_name:
            raise BadRequest(
                f"diagnostic {diagnostic} takes no parameter {name!r}",
                location=f"params.{name}",
                hint=f"its parameters: {choices}",
            )
    values: dict[str, ParamValue] = {}
    for spec in specs:
        value = raw.get(spec.name)
        if value is None:
            if spec.required:
                raise BadRequest(
                    f"diagnostic {diagnostic} needs the parameter {spec.name}",
                    location=f"params.{spec.name}",
                    hint=f"its parameters: {choices}",
                )
            if spec.default is not None:
                values[spec.name] = spec.default
            continue
        values[spec.name] = _VALIDATORS[spec.kind](spec, value, policy)
    return values
