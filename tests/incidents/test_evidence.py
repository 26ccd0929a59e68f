"""Evidence attached to hypotheses: checked per kind, diagnostics as argument lists."""

from __future__ import annotations

import pytest

from nightcall.errors import BadRequest
from nightcall.incidents.evidence import (
    MAX_OUTPUT_CHARS,
    check_evidence,
    evidence_from_diagnostic,
    evidence_from_engine,
)
from nightcall.model import EvidenceItem


def test_each_kind_needs_its_fields() -> None:
    """A trace needs its id; the message names the kind, the label and the missing field."""
    with pytest.raises(BadRequest) as caught:
        check_evidence({"kind": "trace", "label": "slow call"})
    assert caught.value.message == "trace evidence 'slow call' lacks trace_id"
    assert caught.value.location == "evidence.trace_id"
    with pytest.raises(BadRequest, match="needs a label"):
        check_evidence({"kind": "query", "query": "/api/v1/traces"})
    with pytest.raises(BadRequest, match="not one nightcall knows") as unknown:
        check_evidence({"kind": "hunch", "label": "x"})
    assert unknown.value.hint is not None
    assert "diagnostic" in unknown.value.hint


def test_a_diagnostic_command_must_be_an_argument_list() -> None:
    """A shell string is refused: evidence records what ran as argv, never as a command line."""
    item = {
        "kind": "diagnostic",
        "name": "ss",
        "command": "ss -s; rm -rf /",
        "exit_code": 0,
        "output": "",
    }
    with pytest.raises(BadRequest, match="argument list") as caught:
        check_evidence(item)
    assert caught.value.location == "evidence.command"


def test_a_diagnostics_run_is_taken_as_the_api_answers_it() -> None:
    """`argv` (one list per command) becomes `command` and `commands`; the name is the label."""
    run = {
        "kind": "diagnostic",
        "name": "scheduled_jobs",
        "exit_code": 0,
        "output": "x",
        "argv": [["systemctl", "list-timers"], ["crontab", "-l"]],
        "status": "ok",
        "facts": {"timers": 3},
        "artifacts": [],
    }
    checked = check_evidence(run)
    assert checked["label"] == "scheduled_jobs"
    assert checked["command"] == ["systemctl", "list-timers"]
    assert checked["commands"] == ["systemctl list-timers", "crontab -l"]
    assert checked["facts"] == {"timers": 3}


def test_long_output_is_cut_and_nested_values_are_refused() -> None:
    """Output keeps an excerpt; nested objects belong behind a query or a link."""
    item = evidence_from_diagnostic(
        name="dmesg",
        command=["dmesg", "-T"],
        exit_code=None,
        output="x" * (MAX_OUTPUT_CHARS + 10),
        available=False,
    )
    assert len(item["output"]) == MAX_OUTPUT_CHARS
    assert item["exit_code"] is None
    assert item["available"] is False
    with pytest.raises(BadRequest, match="flat object"):
        check_evidence({"kind": "note", "label": "x", "detail": {"a": {"b": 1}}})


def test_the_engine_s_evidence_becomes_measurements_or_queries() -> None:
    """A number is a measurement; a query without a number is a query."""
    number = evidence_from_engine(EvidenceItem(label="p95", value=1.8, unit="s", query="/q"))
    assert number == {
        "kind": "measurement",
        "label": "p95",
        "value": 1.8,
        "unit": "s",
        "query": "/q",
    }
    assert evidence_from_engine(EvidenceItem(label="traces", query="/q"))["kind"] == "query"
