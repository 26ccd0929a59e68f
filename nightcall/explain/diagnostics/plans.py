"""`diagnostics_for`: which diagnostics, with which parameters, would test a hypothesis.

The playbook's diagnostics for the hypothesis's kind come first, then the rest of the catalogue
that serves that kind. Parameters come from the service's resource attributes (`process.pid`,
`host.name`, as `Telemetry.resources` holds them) and from the hypothesis's target (a host,
host:port or URL). Diagnostics run only on this host: a hypothesis about another host gets a
plan that says where to run which command, instead of a run that would look at the wrong machine.

Resource attributes are sent by clients, so they are untrusted: a value is put in a plan (and
in the command line shown to a person) only if it validates.
"""

from __future__ import annotations

import socket
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from nightcall.errors import BadRequest
from nightcall.explain.diagnostics.catalogue import CATALOGUE, Catalogue
from nightcall.explain.diagnostics.params import (
    ParamKind,
    ParamSpec,
    ParamValue,
    Policy,
    validate_params,
)
from nightcall.explain.diagnostics.record import Diagnostic, cli_command
from nightcall.model import Hypothesis

_SYNTAX_ONLY = Policy(allow_any_host=True, pid_exists=lambda _: True)


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagnosticPlan:
    """One diagnostic to run for a hypothesis: where, with what, and whether it can run here."""

    name: str
    params: Mapping[str, ParamValue]
    host: str  # where it must run; "" when the telemetry does not say
    is_local: bool  # that host is the one nightcall runs on
    is_ready: bool  # local, and every parameter known and valid: run_diagnostic will run it
    is_playbook: bool  # named by the playbook for this kind (else: the catalogue serves the kind)
    command: str  # the `nightcall diagnostics run` line that runs it
    note: str = ""  # why it is not ready, or where to run it

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "params": dict(self.params),
            "host": self.host,
            "local": self.is_local,
            "ready": self.is_ready,
            "playbook": self.is_playbook,
            "command": self.command,
            "note": self.note,
        }


def local_host_names() -> frozenset[str]:
    """The names this host answers to in `host.name` (its hostname, FQDN, short name)."""
    names = {"localhost", socket.gethostname(), socket.getfqdn()}
    names |= {name.split(".")[0] for name in names}
    return frozenset(name.lower() for name in names if name)


def _target_values(target: str) -> dict[str, str]:
    """host, port and url read from a hypothesis target such as `db:5432` or a URL."""
    if target.startswith(("http://", "https://")):
        parts = urlsplit(target)
        try:
            port = str(parts.port or "")
        except ValueError:
            port = ""
        return {"url": target, "host": parts.hostname or "", "port": port}
    host, _, port = target.rpartition(":") if target.count(":") == 1 else (target, "", "")
    return {"host": host, "port": port} if port.isdigit() else {"host": target}


def _candidates(specs: tuple[ParamSpec, ...], found: Mapping[str, str]) -> dict[str, str]:
    """The values for `specs` that are known and pass their syntax check, one by one."""
    values = {}
    for spec in specs:
        raw = found.get(spec.name, "")
        if not raw:
            continue
        try:
            syntax = ParamSpec(
                kind=spec.kind, minimum=spec.minimum, maximum=spec.maximum, integer=spec.integer
            )
            validate_params("plan", (syntax,), {spec.name: raw}, _SYNTAX_ONLY)
        except BadRequest:
            continue
        values[spec.name] = raw
    return values


def _shown_host(host: str) -> str:
    """`host` as is if it is a valid host name, else quoted: it came from a client."""
    return host if _candidates((ParamSpec(kind=ParamKind.HOST),), {"host": host}) else repr(host)


def _plan(
    diagnostic: Diagnostic,
    found: Mapping[str, str],
    *,
    host: str,
    is_local: bool,
    is_playbook: bool,
    policy: Policy,
) -> DiagnosticPlan:
    raw = _candidates(diagnostic.params, found)
    command = cli_command(diagnostic.name, raw)
    missing = [spec.name for spec in diagnostic.params if spec.required and spec.name not in raw]
    plan = DiagnosticPlan(
        name=diagnostic.name,
        params=raw,
        host=host,
        is_local=is_local,
        is_ready=False,
        is_playbook=is_playbook,
        command=command,
    )
    if missing:
        what = ", ".join(missing)
        return replace(plan, note=f"needs {what}: the telemetry does not say (pass --{missing[0]})")
    if not is_local:
        where = (
            f"on {_shown_host(host)}" if host else "on its host (the telemetry has no host.name)"
        )
        return replace(plan, note=f"remote: run `{command}` {where}")
    try:
        values = validate_params(diagnostic.name, diagnostic.params, raw, policy)
    except BadRequest as exc:
        return replace(plan, note=exc.message)
    return replace(plan, params=values, is_ready=True)


def diagnostics_for(
    hypothesis: Hypothesis,
    resource: Mapping[str, str] | None = None,
    *,
    local_hosts: Collection[str] | None = None,
    catalogue: Catalogue = CATALOGUE,
    policy: Policy | None = None,
) -> list[DiagnosticPlan]:
    """The diagnostics that would test `hypothesis`, with parameters, ready or not.

    Args:
        resource: the service's resource attributes (`Telemetry.resources[service]`).
        local_hosts: the `host.name` values that mean this host (default: its own names).
    """
    resource = resource or {}
    host = resource.get("host.name", "")
    here = {name.lower() for name in (local_hosts or local_host_names())}
    is_local = bool(host) and (host.lower() in here or host.lower().split(".")[0] in here)
    found = {"pid": resource.get("process.pid", ""), **_target_values(hypothesis.target)}
    playbook = [name for name in hypothesis.diagnostics if name in catalogue]
    serving = [d.name for d in catalogue.values() if hypothesis.kind in d.kinds]
    names = list(dict.fromkeys([*playbook, *serving]))
    return [
        _plan(
            catalogue[name],
            found,
            host=host,
            is_local=is_local,
            is_playbook=name in playbook,
            policy=policy or Policy(),
        )
        for name in names
    ]
