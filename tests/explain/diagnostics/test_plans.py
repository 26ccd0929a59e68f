"""diagnostics_for: the playbook's diagnostics for a hypothesis, with parameters, here or remote."""

from __future__ import annotations

import os
import socket

from nightcall.explain.diagnostics import CATALOGUE, diagnostics_for, local_host_names
from nightcall.explain.hypotheses import PLAYS
from nightcall.model import Hypothesis, HypothesisKind

HERE = "this-host"


def _hypothesis(kind: HypothesisKind, target: str = "") -> Hypothesis:
    play = PLAYS[kind]
    return Hypothesis(kind=kind, service="checkout", confidence=0.8, statement="s", onset_ns=0,
                      symptom="", impact="", evidence=(), steps=play.steps,
                      diagnostics=play.diagnostics, target=target)  # fmt: skip


def test_every_playbook_diagnostic_is_in_the_catalogue() -> None:
    """Each name the playbook gives is an allow-listed diagnostic serving that kind."""
    for kind, play in PLAYS.items():
        for name in play.diagnostics:
            assert name in CATALOGUE, name
            assert kind in CATALOGUE[name].kinds, (kind, name)


def test_local_hypothesis_gets_ready_plans_with_its_pid() -> None:
    """On this host, the playbook's diagnostics come first, ready, with the service's pid."""
    resource = {"host.name": HERE, "process.pid": str(os.getpid())}
    plans = diagnostics_for(_hypothesis(HypothesisKind.CPU_BOTTLENECK), resource,
                            local_hosts={HERE})  # fmt: skip
    names = [plan.name for plan in plans]
    assert names[:3] == ["cpu_by_process", "load_average", "py_spy_dump"]
    assert {"vmstat", "perf_top", "py_spy_record"} <= set(names[3:])
    dump = plans[2]
    assert dump.is_ready
    assert dump.is_playbook
    assert dump.params == {"pid": os.getpid()}
    assert dump.command == f"nightcall diagnostics run py_spy_dump --pid {os.getpid()}"
    assert not plans[3].is_playbook


def test_remote_hypothesis_says_where_to_run_what() -> None:
    """On another host nothing is ready: each plan says which command to run there."""
    resource = {"host.name": "db-7", "process.pid": "4242"}
    plans = diagnostics_for(_hypothesis(HypothesisKind.MEMORY_LEAK), resource, local_hosts={HERE})
    status = next(plan for plan in plans if plan.name == "process_status")
    assert not status.is_ready
    assert not status.is_local
    assert (
        status.note == "remote: run `nightcall diagnostics run process_status --pid 4242` on db-7"
    )


def test_untrusted_resource_values_never_reach_a_plan() -> None:
    """A pid or host that does not validate is dropped, so no command line carries it."""
    resource = {"host.name": "db`id`", "process.pid": "1; rm -rf /"}
    plans = diagnostics_for(_hypothesis(HypothesisKind.MEMORY_LEAK), resource, local_hosts={HERE})
    for plan in plans:
        assert "rm -rf" not in plan.command
        assert "rm -rf" not in plan.note
    status = next(plan for plan in plans if plan.name == "process_status")
    assert status.note == "needs pid: the telemetry does not say (pass --pid)"
    meminfo = next(plan for plan in plans if plan.name == "meminfo")
    assert meminfo.note == "remote: run `nightcall diagnostics run meminfo` on 'db`id`'"


def test_target_gives_host_port_and_url() -> None:
    """A dependency target host:port feeds dns_lookup; a URL target feeds http_probe."""
    by_port = diagnostics_for(_hypothesis(HypothesisKind.SLOW_DEPENDENCY, "localhost:5432"),
                              {"host.name": HERE}, local_hosts={HERE})  # fmt: skip
    lookup = next(plan for plan in by_port if plan.name == "dns_lookup")
    assert lookup.is_ready
    assert lookup.params == {"host": "localhost"}
    probe = next(plan for plan in by_port if plan.name == "http_probe")
    assert probe.note == "needs url: the telemetry does not say (pass --url)"
    by_url = diagnostics_for(
        _hypothesis(HypothesisKind.CERTIFICATE_EXPIRY, "https://127.0.0.1:8443/pay"),
        {"host.name": HERE},
        local_hosts={HERE},
    )
    cert = next(plan for plan in by_url if plan.name == "tls_certificate")
    assert cert.params == {"host": "127.0.0.1", "port": 8443}
    assert next(plan for plan in by_url if plan.name == "http_probe").is_ready


def test_a_stale_pid_is_not_ready_with_the_reason() -> None:
    """On this host, a pid that no longer runs makes the plan not ready, saying so."""
    resource = {"host.name": HERE, "process.pid": "4194000"}
    plans = diagnostics_for(_hypothesis(HypothesisKind.RESOURCE_EXHAUSTION), resource,
                            local_hosts={HERE})  # fmt: skip
    files = next(plan for plan in plans if plan.name == "open_files")
    assert not files.is_ready
    assert "no process with that pid runs on this host" in files.note


def test_this_host_answers_to_its_own_names() -> None:
    """The default local names include the hostname and localhost."""
    names = local_host_names()
    assert "localhost" in names
    assert socket.gethostname().lower() in names
