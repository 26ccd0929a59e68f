"""run_diagnostic: only allow-listed argument lists with validated values ever reach the runner.

The runner is the outer edge (the operating system); these tests pass a recording runner in
its place to see exactly which argument lists would run, and real ones to see real runs.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nightcall.errors import BadRequest
from nightcall.explain.diagnostics import (
    CATALOGUE,
    Command,
    CommandOutcome,
    CommandRequest,
    Diagnostic,
    DiagnosticLog,
    DiagnosticResult,
    ProbeOutput,
    RunStatus,
    find_tool,
    run_diagnostic,
)
from nightcall.explain.diagnostics.params import Params

FAST = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
SAFE_VALUE = {
    "pid": re.compile(r"[1-9][0-9]*"),
    "port": re.compile(r"[1-9][0-9]*"),
    "duration_s": re.compile(r"[0-9]+(\.[0-9]+)?"),
    "host": re.compile(r"[a-z0-9][a-z0-9.\-]*|[0-9a-f:.]+"),
    "url": re.compile(r"https?://[\x21-\x7e]+", re.IGNORECASE),
}


class RecordingRunner:
    """Stands in for the operating system: records each request and answers like a quiet tool."""

    def __init__(self, output: bytes = b"", exit_code: int = 0) -> None:
        self.requests: list[CommandRequest] = []
        self.output = output
        self.exit_code = exit_code

    def __call__(self, request: CommandRequest) -> CommandOutcome:
        self.requests.append(request)
        return CommandOutcome(
            exit_code=self.exit_code, output=self.output, output_bytes=len(self.output)
        )


def _fake_which(name: str) -> str:
    return f"/usr/bin/{name}"


def _recording_probes(calls: list[tuple[str, dict[str, object]]]) -> dict[str, Diagnostic]:
    """The catalogue with every Python probe replaced by one that records what it was given."""

    def entry(diagnostic: Diagnostic) -> Diagnostic:
        if diagnostic.probe is None:
            return diagnostic

        def probe(params: Params) -> ProbeOutput:
            calls.append((diagnostic.name, dict(params)))
            return ProbeOutput(text="", summary="recorded")

        return dataclasses.replace(diagnostic, probe=probe)

    return {name: entry(diagnostic) for name, diagnostic in CATALOGUE.items()}


HOSTILE = st.one_of(
    st.sampled_from([
        "; rm -rf /", "$(reboot)", "`id`", "1\nid", "1;id", "-oProxyCommand=sh -c id", "--pid=1",
        "-1", "../../etc/passwd", "/bin/sh", "localhost; id", "http://evil.example/$(id)",
        "http://127.0.0.1/`id`", "http://localhost/%0Aid", "file:///etc/passwd", "\u202e1",
        "1\x00", "5", "2", str(os.getpid()), "localhost", "http://127.0.0.1:9/x", "::1",
    ]),
    st.just(os.getpid()),
    st.integers(min_value=1, max_value=70_000),
    st.text(max_size=40),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(),
    st.booleans(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=2),
)  # fmt: skip

# Values that pass for some kind, so that many examples get past validation and reach the runner.
PLAUSIBLE = st.sampled_from([os.getpid(), str(os.getpid()), 5, "5", 2, 10, "localhost", 443,
                             "http://127.0.0.1:9/", "::1", 0.5])  # fmt: skip
EITHER = st.booleans().flatmap(lambda plausible: PLAUSIBLE if plausible else HOSTILE)


@FAST
@given(name=st.sampled_from(sorted(CATALOGUE)), data=st.data())
def test_nothing_outside_the_allow_list_can_run(name: str, data: st.DataObject) -> None:
    """Whatever parameters arrive, either BadRequest is raised before anything runs, or every
    argument list is the catalogue's template with whole placeholders replaced by safe values."""
    own = {spec.name: EITHER for spec in CATALOGUE[name].params}
    params: dict[str, object] = data.draw(st.fixed_dictionaries({}, optional=own))
    if data.draw(st.integers(0, 9)) == 0:  # now and then, a parameter no diagnostic takes
        params[data.draw(st.sampled_from(["command", "argv", "--", "shell"]))] = data.draw(HOSTILE)
    runner = RecordingRunner()
    calls: list[tuple[str, dict[str, object]]] = []
    catalogue = _recording_probes(calls)
    try:
        result = run_diagnostic(name, params, clock=time.time_ns, runner=runner,
                                which=_fake_which, catalogue=catalogue)  # fmt: skip
    except BadRequest as refused:
        location = refused.location or ""
        assert location.startswith("params.")
        assert runner.requests == []
        assert calls == []
        return
    diagnostic = CATALOGUE[name]
    if diagnostic.probe is not None:
        assert runner.requests == []
        assert [call[0] for call in calls] == [name]
        for key, value in calls[0][1].items():
            assert SAFE_VALUE[key].fullmatch(str(value)), (key, value)
        return
    assert calls == []
    assert len(runner.requests) == len(diagnostic.commands) == len(result.argv)
    for request, command in zip(runner.requests, diagnostic.commands, strict=True):
        assert request.argv[0] == _fake_which(command.argv[0])
        assert len(request.argv) == len(command.argv)
        assert set(request.env) == {"PATH", "LANG", "LC_ALL"}
        for sent, template in zip(request.argv[1:], command.argv[1:], strict=True):
            match = PLACEHOLDER.fullmatch(template)
            if match is None:
                assert sent == template
            elif match.group(1) in {"scratch", "artifact"}:
                assert Path(sent).is_absolute()
                assert "\n" not in sent
            else:
                assert SAFE_VALUE[match.group(1)].fullmatch(sent), (template, sent)
                assert sent == str(result.params[match.group(1)])


def test_every_catalogue_template_is_literal_or_a_whole_known_placeholder() -> None:
    """No catalogue argument mixes text with a placeholder, runs a shell, or names an unknown
    parameter; every parameter a command uses is required or has a default."""
    for diagnostic in CATALOGUE.values():
        known = {spec.name: spec for spec in diagnostic.params}
        for command in diagnostic.commands:
            assert "/" not in command.argv[0]
            assert command.argv[0] not in {"sh", "bash", "env", "sudo", "xargs"}
            for element in command.argv[1:]:
                match = PLACEHOLDER.fullmatch(element)
                if match is None:
                    assert "{" not in element
                    assert "}" not in element
                    continue
                name = match.group(1)
                assert name in known or name in {"scratch", "artifact"}, (diagnostic.name, name)
                if name in known:
                    assert known[name].required or known[name].default is not None


def test_unknown_name_is_refused_with_the_allowed_ones() -> None:
    """A name outside the catalogue is a BadRequest that lists every allowed name."""
    runner = RecordingRunner()
    with pytest.raises(BadRequest) as caught:
        run_diagnostic("rm", {}, clock=time.time_ns, runner=runner)
    assert caught.value.location == "name"
    assert caught.value.hint == "the allowed diagnostics: " + ", ".join(sorted(CATALOGUE))
    assert runner.requests == []


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("cpu_by_process", {"pid": "self", "duration_s": 0.2}),
        ("memory_by_process", {"pid": "self"}),
        ("open_files", {"pid": "self"}),
        ("process_status", {"pid": "self"}),
        ("meminfo", {}),
        ("load_average", {}),
    ],
)
def test_real_runs_on_this_machine(name: str, params: dict[str, object]) -> None:
    """The process and host diagnostics run for real against this test's own pid."""
    values = {k: os.getpid() if v == "self" else v for k, v in params.items()}
    log = DiagnosticLog()
    result = run_diagnostic(name, values, clock=time.time_ns, log_to=log)
    assert result.status == RunStatus.OK, result.summary
    assert result.argv == ((f"python:{name}",),)
    assert result.summary
    assert result.output
    assert result.facts
    assert result.ended_ns >= result.started_ns
    assert log.recent() == [result]
    if "pid" in values:
        assert str(os.getpid()) in result.summary


def test_process_status_reads_this_process() -> None:
    """process_status's facts match what this process knows about itself."""
    result = run_diagnostic("process_status", {"pid": os.getpid()}, clock=time.time_ns)
    assert result.facts["status"] in {"running", "sleeping"}
    assert int(result.facts["threads"]) >= 1
    assert int(result.facts["rss_bytes"]) > 10 * 2**20  # a Python with pytest loaded


def test_a_slow_command_times_out() -> None:
    """A real command that overruns its timeout is killed and reported as a timeout."""
    slow = Diagnostic(name="slow", summary="sleeps", kinds=(), timeout_s=0.5,
                      commands=(Command(argv=("sleep", "30")),))  # fmt: skip
    started = time.monotonic()
    result = run_diagnostic("slow", {}, clock=time.time_ns, catalogue={"slow": slow})
    assert result.status == RunStatus.TIMEOUT
    assert result.summary == "timeout: sleep did not finish within 0.5 s (killed)"
    assert result.exit_code is None
    assert time.monotonic() - started < 5


def test_a_slow_probe_times_out() -> None:
    """A Python probe that overruns is abandoned and reported as a timeout."""

    def stuck(params: Params) -> ProbeOutput:
        time.sleep(2)
        return ProbeOutput(text="", summary="late")

    entry = Diagnostic(name="stuck", summary="", kinds=(), timeout_s=0.2, probe=stuck)
    result = run_diagnostic("stuck", {}, clock=time.time_ns, catalogue={"stuck": entry})
    assert result.status == RunStatus.TIMEOUT
    assert result.summary == "timeout: no answer within 0.2 s"


def test_output_is_truncated_to_the_diagnostic_limit() -> None:
    """A chatty command keeps max_output_bytes of output and says how much there was."""
    chatty = Diagnostic(name="chatty", summary="", kinds=(), max_output_bytes=1000,
                        commands=(Command(argv=("seq", "1", "100000")),))  # fmt: skip
    result = run_diagnostic("chatty", {}, clock=time.time_ns, catalogue={"chatty": chatty})
    assert result.status == RunStatus.OK
    assert len(result.output.encode()) <= 1000
    assert result.is_truncated
    assert result.output_bytes == 588_895


def test_a_missing_tool_is_not_available_with_how_to_install() -> None:
    """A tool that is not installed gives not_available and the install hint, no exception."""
    result = run_diagnostic("py_spy_dump", {"pid": os.getpid()}, clock=time.time_ns,
                            which=lambda _: None)  # fmt: skip
    assert result.status == RunStatus.NOT_AVAILABLE
    assert result.summary == (
        "not available: py-spy is not installed; pip install py-spy (into nightcall's "
        "environment, or anywhere on PATH)"
    )
    assert result.argv == ()
    missing = Diagnostic(name="missing", summary="", kinds=(),
                         commands=(Command(argv=("nightcall-no-such-tool",)),))  # fmt: skip
    real = run_diagnostic("missing", {}, clock=time.time_ns, catalogue={"missing": missing})
    assert real.status == RunStatus.NOT_AVAILABLE
    assert real.summary == "not available: nightcall-no-such-tool is not installed"


def test_a_refused_permission_is_not_available() -> None:
    """A tool that fails for want of permission gives not_available that says what to do."""
    runner = RecordingRunner(b"Error: Operation not permitted (os error 1)\n", exit_code=1)
    result = run_diagnostic("py_spy_dump", {"pid": os.getpid()}, clock=time.time_ns,
                            runner=runner, which=_fake_which)  # fmt: skip
    assert result.status == RunStatus.NOT_AVAILABLE
    assert result.summary.startswith("not available: py-spy was refused permission (Error: ")
    assert "this diagnostic needs root" in result.summary


def test_a_failing_command_is_failed_with_its_last_line() -> None:
    """A non-zero exit that is not about permission is a failure quoting the tool's last line."""
    runner = RecordingRunner(b"reading\nError: no such process\n", exit_code=2)
    result = run_diagnostic("vmstat", {}, clock=time.time_ns, runner=runner, which=_fake_which)
    assert result.status == RunStatus.FAILED
    assert result.summary == "failed: vmstat exited 2: Error: no such process"
    assert result.argv == (("/usr/bin/vmstat", "1", "5"),)


def test_every_run_is_logged_and_handed_to_the_hook() -> None:
    """The log keeps runs newest first, bounded, and hands each to its hook as it lands."""
    seen: list[DiagnosticResult] = []
    log = DiagnosticLog(max_runs=2, on_result=seen.append)
    for _ in range(3):
        run_diagnostic("load_average", {}, clock=time.time_ns, log_to=log)
    assert len(seen) == 3
    assert len(log) == 2
    assert log.recent() == [seen[2], seen[1]]
    evidence = seen[0].to_evidence()
    assert evidence.label.startswith("diagnostic load_average on ")
    assert evidence.value == "ok"
    assert evidence.query == "nightcall diagnostics run load_average"


@pytest.mark.allow_server_errors
def test_a_failing_hook_does_not_lose_the_run() -> None:
    """A hook that raises is logged and counted; the run is still kept and returned."""

    def broken(result: DiagnosticResult) -> None:
        raise RuntimeError("incident store is down")

    log = DiagnosticLog(on_result=broken)
    result = run_diagnostic("load_average", {}, clock=time.time_ns, log_to=log)
    assert result.status == RunStatus.OK
    assert log.recent() == [result]
    assert log.hook_failures == 1


def test_result_json_is_flat_and_typed() -> None:
    """A result's JSON has the run's name, params, argv, times, status and bounded output."""
    result = run_diagnostic("load_average", {}, clock=lambda: 1_700_000_000_000_000_000)
    answer: Mapping[str, object] = result.to_json()
    assert answer["started"] == "2023-11-14T22:13:20.000000000Z"
    assert answer["argv"] == [["python:load_average"]]
    assert answer["status"] == "ok"
    assert answer["duration_s"] == 0.0
    assert set(answer) >= {"name", "params", "host", "summary", "facts", "output", "artifacts"}


@pytest.fixture
def python_child() -> Iterator[int]:
    """A child Python that keeps one function busy until the test ends."""
    code = "def spin():\n    while True: sum(range(1000))\nspin()"
    child = subprocess.Popen([sys.executable, "-c", code])
    time.sleep(0.3)  # let the interpreter start before a profiler attaches
    yield child.pid
    child.kill()
    child.wait()


@pytest.mark.skipif(find_tool("py-spy") is None, reason="py-spy is not installed")
def test_py_spy_record_writes_a_flame_graph(python_child: int, tmp_path: Path) -> None:
    """A real py-spy run records a bounded flame graph of a Python pid as an SVG artifact."""
    result = run_diagnostic("py_spy_record", {"pid": python_child, "duration_s": 1},
                            clock=time.time_ns, artifacts_dir=tmp_path)  # fmt: skip
    if result.status == RunStatus.NOT_AVAILABLE:
        pytest.skip(result.summary)  # no ptrace permission for this user
    assert result.status == RunStatus.OK, result.summary
    (svg,) = result.artifacts
    assert Path(svg).parent == tmp_path
    assert Path(svg).read_text().lstrip().startswith("<?xml")
    assert "spin" in Path(svg).read_text()
    assert result.argv[0][1:] == ("record", "--pid", str(python_child), "--duration", "1",
                                  "--rate", "100", "--format", "flamegraph", "--output", svg,
                                  "--idle", "--nonblocking")  # fmt: skip
