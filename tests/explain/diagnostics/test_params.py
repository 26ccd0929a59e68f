"""Parameter validation: only canonical pids, hosts, ports, URLs and durations get through."""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nightcall.errors import BadRequest
from nightcall.explain.diagnostics import ParamKind, ParamSpec, Policy, validate_params

PID = ParamSpec(kind=ParamKind.PID, required=True)
HOST = ParamSpec(kind=ParamKind.HOST, required=True)
CONNECT_HOST = ParamSpec(kind=ParamKind.HOST, required=True, connects=True)
PORT = ParamSpec(kind=ParamKind.PORT, default=443)
URL = ParamSpec(kind=ParamKind.URL, required=True)
SECONDS = ParamSpec(kind=ParamKind.DURATION_S, default=1, minimum=0.1, maximum=10)
WHOLE = ParamSpec(kind=ParamKind.DURATION_S, default=5, minimum=2, maximum=30, integer=True)
ALL = (PID, HOST, PORT, URL, SECONDS)
POLICY = Policy()
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What each accepted value may look like: nothing here can be read as an option or shell syntax.
SAFE = {
    "pid": re.compile(r"[1-9][0-9]*"),
    "port": re.compile(r"[1-9][0-9]*"),
    "duration_s": re.compile(r"[0-9]+(\.[0-9]+)?"),
    "host": re.compile(r"[a-z0-9][a-z0-9.\-]*|[0-9a-f:.]+"),
    "url": re.compile(r"https?://[\x21-\x7e]+", re.IGNORECASE),
}
HOSTILE = [
    "; rm -rf /", "$(reboot)", "`id`", "1\n2", "1;id", "1 && id", "1|id", "-oProxyCommand=sh -c id",
    "--help", "-1", "+1", "0x10", "1e3", " 1", "1 ", "١٢٣", "\uff11\uff12", "../../etc/passwd",
    "/etc/shadow",
    "localhost; id", "-a.example", "a..b", "exa mple.com", "example.com\n", "\x00", "%00",
    "ex\u0430mple.com", "http://evil.example/", "file:///etc/passwd", "gopher://localhost/",
    "http://localhost/`id` x", "http://user:pw@localhost/", "http://[::1%25eth0]/",
    "http://localhost\n.evil/", "\uff48ttp://localhost/", "http://localhost:0/", "http://localhost:99999/",
    "http:///nohost", "javascript:alert(1)", "::1%eth0", "fe80::1%25$(id)", "",
]  # fmt: skip


def test_accepts_canonical_values() -> None:
    """A running pid, a host name, a port, a loopback URL and a bounded duration validate."""
    values = validate_params(
        "t",
        ALL,
        {"pid": str(os.getpid()), "host": "DB-1.Example.com", "port": "5432",
         "url": "http://127.0.0.1:8080/healthz?x=1", "duration_s": "0.5"},
        POLICY,
    )  # fmt: skip
    assert values == {"pid": os.getpid(), "host": "db-1.example.com", "port": 5432,
                      "url": "http://127.0.0.1:8080/healthz?x=1", "duration_s": 0.5}  # fmt: skip


def test_fills_defaults_and_names_missing_required() -> None:
    """Defaults fill absent optional parameters; a missing required one is named, with choices."""
    assert validate_params("t", (PORT, SECONDS), {}, POLICY) == {"port": 443, "duration_s": 1}
    with pytest.raises(BadRequest) as caught:
        validate_params("open_files", (PID,), {}, POLICY)
    assert caught.value.location == "params.pid"
    assert "needs the parameter pid" in caught.value.message
    assert caught.value.hint == "its parameters: pid (required)"


def test_refuses_unknown_parameter_naming_the_valid_ones() -> None:
    """An unknown parameter is refused, and the hint lists the parameters the diagnostic takes."""
    with pytest.raises(BadRequest) as caught:
        validate_params("vmstat", (WHOLE,), {"command": "id"}, POLICY)
    assert caught.value.location == "params.command"
    assert caught.value.hint == "its parameters: duration_s (2-30 s, default 5)"


def test_refuses_a_pid_that_does_not_run() -> None:
    """A well-formed pid of no running process is refused before anything runs."""
    with pytest.raises(BadRequest, match="no process with that pid"):
        validate_params("t", (PID,), {"pid": 4_000_000}, Policy(pid_exists=lambda _: False))


def test_refuses_booleans_and_out_of_range_numbers() -> None:
    """true is not a pid, port 0 and 70000 are not ports, a duration is kept in its bounds."""
    for spec, value in [(PID, True), (PORT, 0), (PORT, 70_000), (SECONDS, 11), (SECONDS, 0.01),
                        (SECONDS, float("nan")), (WHOLE, 2.5), (PID, 0), (PID, -5)]:  # fmt: skip
        with pytest.raises(BadRequest):
            validate_params("t", (spec,), {spec.name: value}, POLICY)


def test_network_targets_are_loopback_unless_allowed() -> None:
    """URLs and connected hosts must be loopback or allow-listed; the CLI's policy allows any."""
    with pytest.raises(BadRequest, match="neither loopback nor an allowed host"):
        validate_params("t", (URL,), {"url": "https://example.com/"}, POLICY)
    with pytest.raises(BadRequest, match="neither loopback nor an allowed host"):
        validate_params("t", (CONNECT_HOST,), {"host": "example.com"}, POLICY)
    allowed = Policy(allowed_hosts=frozenset({"example.com"}))
    assert validate_params("t", (URL,), {"url": "https://example.com/"}, allowed)
    assert validate_params(
        "t", (CONNECT_HOST,), {"host": "example.com"}, Policy(allow_any_host=True)
    )
    assert validate_params("t", (URL,), {"url": "http://[::1]:9/"}, POLICY)


@pytest.mark.parametrize("value", HOSTILE)
def test_refuses_hostile_strings_for_every_kind(value: str) -> None:
    """Shell syntax, option injection, paths, odd unicode and foreign URLs are refused as values."""
    for spec in (PID, HOST, PORT, URL, SECONDS):
        if spec.kind == ParamKind.HOST and value in {"0x10", "1e3"}:
            continue  # valid DNS names, harmless on a command line
        with pytest.raises(BadRequest) as caught:
            validate_params("t", (spec,), {spec.name: value}, POLICY)
        assert caught.value.location == f"params.{spec.name}"
        assert repr(value) in caught.value.message  # the message names the refused value


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=5,
)


@FAST
@given(
    kind=st.sampled_from(list(ParamKind)),
    value=st.one_of(JSON_VALUES, st.sampled_from(HOSTILE), st.from_regex(r"[ -~]{0,30}")),
)
def test_any_value_is_refused_or_canonical(kind: ParamKind, value: object) -> None:
    """Whatever JSON value arrives, it is refused with BadRequest or comes out in its safe shape."""
    spec = ParamSpec(kind=kind, required=True, minimum=0.1, maximum=10)
    try:
        checked = validate_params("t", (spec,), {spec.name: value}, POLICY)[spec.name]
    except BadRequest as refused:
        location = refused.location
        assert location == f"params.{spec.name}"  # the property has two outcomes
        return
    assert not isinstance(checked, bool)
    assert SAFE[spec.name].fullmatch(str(checked)), (value, checked)
    assert not str(checked).startswith("-")
