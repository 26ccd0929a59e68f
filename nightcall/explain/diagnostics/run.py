"""`run_diagnostic`: look a name up in the allow-list, validate, run bounded, record, never raise.

The only way a diagnostic reaches the operating system: the name must be in the catalogue and
the parameters must validate (else `BadRequest`, before anything runs); each command's argument
list is the catalogue's template with whole placeholders replaced by validated values, argv[0]
resolved to an absolute path. A missing tool, a refused permission, a timeout or a crash of a
probe become a result with a status and a message, never an exception.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import stat
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from nightcall.errors import BadRequest
from nightcall.explain.diagnostics.catalogue import CATALOGUE, Catalogue
from nightcall.explain.diagnostics.params import ParamValue, Policy, validate_params
from nightcall.explain.diagnostics.record import (
    Clock,
    Command,
    Diagnostic,
    DiagnosticResult,
    Fact,
    NotAvailable,
    ProbeOutput,
    RunStatus,
)
from nightcall.explain.diagnostics.run_log import DiagnosticLog
from nightcall.explain.diagnostics.runner import (
    CommandRequest,
    Runner,
    ToolFinder,
    find_tool,
    run_command,
)

log = logging.getLogger("nightcall.diagnostics")

MAX_EXCERPT_BYTES = 64 * 1024  # of output kept in a result, whatever a command may print
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_REFUSED = re.compile(
    r"permission denied|operation not permitted|must be root|are you root|access denied"
    r"|perf_event_paranoid|insufficient privileges",
    re.IGNORECASE,
)


def lookup(catalogue: Catalogue, name: object) -> Diagnostic:
    """The catalogue entry `name`, or a `BadRequest` that lists the allowed names."""
    if isinstance(name, str) and name in catalogue:
        return catalogue[name]
    raise BadRequest(
        f"no diagnostic is named {name!r}",
        location="name",
        hint="the allowed diagnostics: " + ", ".join(sorted(catalogue)),
    )


def fill_argv(template: tuple[str, ...], values: Mapping[str, str]) -> tuple[str, ...]:
    """`template` with each `{placeholder}` element replaced by its value, whole."""
    filled = []
    for element in template:
        match = _PLACEHOLDER.fullmatch(element)
        if match is not None:
            filled.append(values[match.group(1)])
        elif "{" in element or "}" in element:
            raise ValueError(f"catalogue argument {element!r} mixes text and a placeholder")
        else:
            filled.append(element)
    return tuple(filled)


@dataclass(slots=True)
class _Run:
    """What a run gathered so far (mutable while it runs; frozen into a result at the end)."""

    status: RunStatus = RunStatus.OK
    summary: str = ""
    argv: list[tuple[str, ...]] = field(default_factory=list)
    exit_code: int | None = None
    output: str = ""
    output_bytes: int = 0
    is_truncated: bool = False
    facts: dict[str, Fact] = field(default_factory=dict)
    artifacts: tuple[str, ...] = ()


def _bounded(text: str, limit: int) -> tuple[str, bool]:
    data = text.encode()
    if len(data) <= limit:
        return text, False
    return data[:limit].decode(errors="ignore"), True


def _duration(values: Mapping[str, ParamValue]) -> float:
    return float(values.get("duration_s", 0))


def _run_probe(diagnostic: Diagnostic, values: Mapping[str, ParamValue]) -> _Run:
    """The probe in a worker thread, abandoned (and reported) if it overruns its timeout."""
    probe = diagnostic.probe
    if probe is None:  # pragma: no cover - callers check is_python
        raise ValueError(f"{diagnostic.name} has no probe")
    run = _Run(argv=[(f"python:{probe.__name__}",)])
    box: list[object] = []

    def target() -> None:
        try:
            box.append(probe(values))
        except Exception as exc:  # reported in the result, never raised
            box.append(exc)

    timeout_s = diagnostic.timeout_s + _duration(values)
    worker = threading.Thread(target=target, name=f"diagnostic-{diagnostic.name}", daemon=True)
    worker.start()
    worker.join(timeout_s)
    if not box:
        run.status, run.summary = RunStatus.TIMEOUT, f"timeout: no answer within {timeout_s:g} s"
        return run
    answer = box[0]
    if isinstance(answer, NotAvailable):
        run.status, run.summary = RunStatus.NOT_AVAILABLE, f"not available: {answer.message}"
    elif isinstance(answer, psutil.AccessDenied | PermissionError):
        run.status = RunStatus.NOT_AVAILABLE
        run.summary = f"not available: permission refused ({answer}); run nightcall as root"
    elif isinstance(answer, Exception):
        log.warning("diagnostic %s failed: %r", diagnostic.name, answer)
        run.status, run.summary = RunStatus.FAILED, f"failed: {type(answer).__name__}: {answer}"
    else:
        if not isinstance(answer, ProbeOutput):  # pragma: no cover - probes are typed
            raise TypeError(f"{diagnostic.name} returned {type(answer).__name__}")
        run.summary, run.facts, run.artifacts = answer.summary, answer.facts, answer.artifacts
        run.output_bytes = len(answer.text.encode())
        limit = min(diagnostic.max_output_bytes, MAX_EXCERPT_BYTES)
        run.output, run.is_truncated = _bounded(answer.text, limit)
    return run


def private_dir(path: Path) -> Path:
    """`path` created for this user only, or a fresh temporary directory if another user (or
    anyone but us) could write to it: tools running as root write their artifacts there."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    mine = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    if stat.S_ISLNK(info.st_mode) or info.st_uid != mine or info.st_mode & 0o022:
        return Path(tempfile.mkdtemp(prefix="nightcall-diagnostics-"))
    return path


def _resolve(diagnostic: Diagnostic, which: ToolFinder, run: _Run) -> list[tuple[Command, str]]:
    """Each command with its tool's absolute path; a missing required tool ends the run."""
    resolved, missing = [], []
    for command in diagnostic.commands:
        tool = command.argv[0]
        path = which(tool)
        if path is not None:
            resolved.append((command, path))
            continue
        hint = f"; {command.install_hint}" if command.install_hint else ""
        missing.append(f"{tool} is not installed{hint}")
        if not command.optional:
            run.status, run.summary = RunStatus.NOT_AVAILABLE, f"not available: {missing[-1]}"
            return []
    if not resolved:
        run.status, run.summary = RunStatus.NOT_AVAILABLE, "not available: " + "; ".join(missing)
    elif missing:
        run.output = "".join(f"(skipped: {m})\n" for m in missing)
    return resolved


def _run_commands(
    diagnostic: Diagnostic,
    values: Mapping[str, ParamValue],
    *,
    runner: Runner,
    which: ToolFinder,
    artifacts_dir: Path | None,
    started_ns: int,
) -> _Run:
    run = _Run()
    resolved = _resolve(diagnostic, which, run)
    if not resolved:
        return run
    texts = {key: str(value) for key, value in values.items()}
    artifact: Path | None = None
    if diagnostic.artifact_suffix:
        folder = private_dir(artifacts_dir or Path(tempfile.gettempdir()) / "nightcall-diagnostics")
        subject = texts.get("pid", "host")
        artifact = folder / f"{diagnostic.name}-{subject}-{started_ns}{diagnostic.artifact_suffix}"
        texts["artifact"] = str(artifact)
    keep = re.compile(diagnostic.keep_lines) if diagnostic.keep_lines else None
    budget_s = diagnostic.timeout_s + _duration(values)
    outputs: list[str] = [run.output] if run.output else []
    statuses: list[tuple[Command, RunStatus]] = []
    with tempfile.TemporaryDirectory(prefix="nightcall-diagnostic-") as scratch:
        texts["scratch"] = str(Path(scratch) / "data")
        for command, path in resolved:
            argv = (path, *fill_argv(command.argv[1:], texts))
            run.argv.append(argv)
            request = CommandRequest(
                argv=argv,
                timeout_s=budget_s,
                cwd=scratch,
                max_output_bytes=diagnostic.max_output_bytes,
            )
            outcome = runner(request)
            text = outcome.output.decode(errors="replace")
            if keep is not None:
                text = "".join(line for line in text.splitlines(True) if keep.search(line))
            run.output_bytes += outcome.output_bytes
            run.is_truncated |= outcome.output_bytes > len(outcome.output)
            run.exit_code = outcome.exit_code
            outputs.append(f"$ {' '.join(argv)}\n{text}" if len(resolved) > 1 else text)
            status, summary = _judge(
                diagnostic,
                command,
                outcome.exit_code,
                outcome.error,
                outcome.is_timed_out,
                text,
                budget_s,
            )
            statuses.append((command, status))
            if status != RunStatus.OK:
                run.summary = run.summary or summary
                if not command.optional:
                    break
    run.status = _combine(statuses)
    run.output, cut = _bounded(
        "\n".join(outputs), min(MAX_EXCERPT_BYTES, diagnostic.max_output_bytes)
    )
    run.is_truncated |= cut
    if run.status == RunStatus.OK:
        run.summary = ""
        if diagnostic.summarize is not None:
            run.summary, run.facts = diagnostic.summarize(run.output)
        run.summary = run.summary or f"{diagnostic.name}: {len(run.output.splitlines())} lines"
    if artifact is not None and artifact.is_file():
        if run.status == RunStatus.OK:
            run.artifacts = (str(artifact),)
        else:  # a half-written flame graph is no evidence
            artifact.unlink(missing_ok=True)
    return run


def _judge(
    diagnostic: Diagnostic,
    command: Command,
    exit_code: int | None,
    error: str,
    is_timed_out: bool,
    text: str,
    budget_s: float,
) -> tuple[RunStatus, str]:
    tool = command.argv[0]
    if is_timed_out:
        return RunStatus.TIMEOUT, f"timeout: {tool} did not finish within {budget_s:g} s (killed)"
    refusal = _REFUSED.search(error) or (
        exit_code not in command.ok_exit_codes and _REFUSED.search(text)
    )
    if refusal:
        needs = "; this diagnostic needs root" if diagnostic.needs_root else ""
        line = next((ln for ln in (error or text).splitlines() if _REFUSED.search(ln)), "")
        return RunStatus.NOT_AVAILABLE, (
            f"not available: {tool} was refused permission ({line.strip()[:200]}){needs}; "
            "run nightcall as root or grant the capability"
        )
    if error:
        return RunStatus.FAILED, f"failed: {tool} could not start: {error}"
    absent = command.unavailable_when and re.search(command.unavailable_when, text)
    if exit_code not in command.ok_exit_codes and absent:
        return RunStatus.NOT_AVAILABLE, f"not available: {tool}: {absent.group(0)}"
    if exit_code not in command.ok_exit_codes:
        last = next((ln.strip() for ln in reversed(text.splitlines()) if ln.strip()), "")
        return RunStatus.FAILED, f"failed: {tool} exited {exit_code}: {last[:200]}"
    return RunStatus.OK, ""


def _combine(statuses: list[tuple[Command, RunStatus]]) -> RunStatus:
    """A required command's failure fails the run; optional ones fail it only if none worked."""
    for command, status in statuses:
        if not command.optional and status != RunStatus.OK:
            return status
    optional = [status for command, status in statuses if command.optional]
    if optional and RunStatus.OK not in optional and len(optional) == len(statuses):
        return optional[0]
    return RunStatus.OK


def run_diagnostic(
    name: str,
    params: Mapping[str, object],
    *,
    clock: Clock,
    runner: Runner = run_command,
    which: ToolFinder = find_tool,
    catalogue: Catalogue = CATALOGUE,
    policy: Policy | None = None,
    log_to: DiagnosticLog | None = None,
    artifacts_dir: Path | None = None,
) -> DiagnosticResult:
    """Run the allow-listed diagnostic `name` with `params` on this host, bounded and recorded.

    Args:
        runner: runs one command (the default starts a subprocess; tests record instead).
        which: finds a tool's absolute path, or None when it is not installed.
        catalogue: the allow-list (tests extend it with their own entries).
        policy: which hosts network diagnostics may reach (default: loopback only).
        log_to: where the run is recorded (and handed to its hook).
        artifacts_dir: where files such as flame graphs go (default: a private temp folder).

    Raises:
        BadRequest: `name` is not in the catalogue, or a parameter is unknown, missing or
            invalid. Nothing has run when it is raised.
    """
    diagnostic = lookup(catalogue, name)
    values = validate_params(name, diagnostic.params, params, policy or Policy())
    started_ns = clock()
    if diagnostic.is_python:
        run = _run_probe(diagnostic, values)
    else:
        run = _run_commands(
            diagnostic,
            values,
            runner=runner,
            which=which,
            artifacts_dir=artifacts_dir,
            started_ns=started_ns,
        )
    result = DiagnosticResult(
        name=name,
        params=values,
        argv=tuple(run.argv),
        started_ns=started_ns,
        ended_ns=clock(),
        status=run.status,
        summary=run.summary,
        exit_code=run.exit_code,
        output=run.output,
        output_bytes=run.output_bytes,
        is_truncated=run.is_truncated,
        facts=run.facts,
        artifacts=run.artifacts,
        host=socket.gethostname(),
    )
    if log_to is not None:
        log_to.record(result)
    return result
