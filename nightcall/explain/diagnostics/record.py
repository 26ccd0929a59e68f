"""The records of the diagnostics catalogue: what a diagnostic is, and what one run gave.

A `Diagnostic` is either a list of command templates (argument lists, never shell strings) whose
only variable parts are whole placeholders filled from validated parameters, or a Python probe
(psutil, /proc, ssl, sockets) that needs no subprocess. A `DiagnosticResult` is what ran, when,
how it ended and a bounded excerpt of what it printed, shaped to attach to a hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from nightcall.explain.diagnostics.params import Params, ParamSpec, ParamValue
from nightcall.model import EvidenceItem, HypothesisKind, format_time_ns

Clock: TypeAlias = Callable[[], int]  # Unix nanoseconds now, as `Runtime.now_ns`
Fact: TypeAlias = float | str
# A summarizer reads a command's (already bounded) output: a one-line summary and key numbers.
Summarizer: TypeAlias = Callable[[str], tuple[str, dict[str, Fact]]]


class RunStatus(StrEnum):
    """How a diagnostic run ended."""

    OK = "ok"
    FAILED = "failed"
    TIMEOUT = "timeout"
    NOT_AVAILABLE = "not_available"


class NotAvailable(Exception):  # control flow inside a run, never shown as an error
    """A probe cannot run here (no /proc file, no permission): the run says so, not an error."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeOutput:
    """What a Python probe found: readable text, a one-line summary, key numbers, files."""

    text: str
    summary: str
    facts: dict[str, Fact] = field(default_factory=dict)
    artifacts: tuple[str, ...] = ()


Probe: TypeAlias = Callable[[Params], ProbeOutput]


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """One argument-list template. Elements are literal, or one whole `{placeholder}`.

    Placeholders are the parameter names, plus `{workdir}` (a private temporary directory) and
    `{artifact}` (a fresh file under the artifacts directory). `optional` commands that are not
    installed are skipped instead of making the whole diagnostic not available.
    """

    argv: tuple[str, ...]
    ok_exit_codes: frozenset[int] = frozenset({0})
    optional: bool = False
    install_hint: str = ""
    unavailable_when: str = ""  # a regular expression: a failure whose output matches it means
    # the tool has nothing to ask here (systemctl without systemd), not that it failed


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One allow-listed, read-only diagnostic."""

    name: str
    summary: str
    kinds: tuple[HypothesisKind, ...]
    params: tuple[ParamSpec, ...] = ()
    commands: tuple[Command, ...] = ()
    probe: Probe | None = None
    timeout_s: float = 10.0  # on top of the run's own duration_s, when it takes one
    max_output_bytes: int = 64 * 1024
    needs_root: bool = False
    keep_lines: str = ""  # a regular expression: only matching output lines are kept
    summarize: Summarizer | None = None
    artifact_suffix: str = ""  # the file name ending of `{artifact}`, e.g. ".svg"

    @property
    def is_python(self) -> bool:
        return self.probe is not None

    def argv_templates(self) -> list[list[str]]:
        """The command templates, or `python:<probe>` for a probe, as the API shows them."""
        if self.probe is not None:
            return [[f"python:{self.probe.__name__}"]]
        return [list(command.argv) for command in self.commands]

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "summary": self.summary,
            "kinds": [str(kind) for kind in self.kinds],
            "params": [spec.to_json() for spec in self.params],
            "argv": self.argv_templates(),
            "timeout_s": self.timeout_s,
            "max_output_bytes": self.max_output_bytes,
            "needs_root": self.needs_root,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class DiagnosticResult:
    """One run: what ran with which values, when, how it ended, and what it printed."""

    name: str
    params: Mapping[str, ParamValue]
    argv: tuple[tuple[str, ...], ...]  # every command actually run, or ("python:<probe>",)
    started_ns: int
    ended_ns: int
    status: RunStatus
    summary: str
    exit_code: int | None = None
    output: str = ""  # bounded by the diagnostic's max_output_bytes
    output_bytes: int = 0  # how much it printed in all, kept or not
    is_truncated: bool = False
    facts: Mapping[str, Fact] = field(default_factory=dict)
    artifacts: tuple[str, ...] = ()
    host: str = ""

    @property
    def duration_s(self) -> float:
        return (self.ended_ns - self.started_ns) / 1e9

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "params": dict(self.params),
            "argv": [list(argv) for argv in self.argv],
            "host": self.host,
            "started": format_time_ns(self.started_ns),
            "started_unix_nano": self.started_ns,
            "ended": format_time_ns(self.ended_ns),
            "ended_unix_nano": self.ended_ns,
            "duration_s": round(self.duration_s, 3),
            "status": str(self.status),
            "exit_code": self.exit_code,
            "summary": self.summary,
            "facts": dict(self.facts),
            "output": self.output,
            "output_bytes": self.output_bytes,
            "truncated": self.is_truncated,
            "artifacts": list(self.artifacts),
        }

    def to_evidence(self) -> EvidenceItem:
        """The run as one evidence item of a hypothesis (the incidents layer attaches it)."""
        shown = " ".join(self.argv[0]) if len(self.argv) == 1 else f"{len(self.argv)} commands"
        detail = f"{self.status}: {self.summary}"
        if self.artifacts:
            detail += " (" + ", ".join(self.artifacts) + ")"
        return EvidenceItem(
            label=f"diagnostic {self.name} on {self.host or 'this host'}",
            value=str(self.status),
            detail=f"{detail} [ran: {shown}]",
            query=cli_command(self.name, self.params),
            start_ns=self.started_ns,
            end_ns=self.ended_ns,
        )


def cli_command(name: str, params: Mapping[str, ParamValue]) -> str:
    """The `nightcall diagnostics run` command line that redoes a run with `params`."""
    flags = "".join(f" --{_FLAGS.get(key, key)} {value}" for key, value in params.items())
    return f"nightcall diagnostics run {name}{flags}"


_FLAGS = {"duration_s": "duration"}
