"""Allow-listed, read-only host diagnostics that gather evidence for or against a hypothesis."""

from nightcall.explain.diagnostics.catalogue import CATALOGUE, Catalogue
from nightcall.explain.diagnostics.params import ParamKind, ParamSpec, Policy, validate_params
from nightcall.explain.diagnostics.plans import DiagnosticPlan, diagnostics_for, local_host_names
from nightcall.explain.diagnostics.record import (
    Clock,
    Command,
    Diagnostic,
    DiagnosticResult,
    NotAvailable,
    ProbeOutput,
    RunStatus,
    cli_command,
)
from nightcall.explain.diagnostics.run import fill_argv, lookup, run_diagnostic
from nightcall.explain.diagnostics.run_log import DiagnosticLog, OnResult
from nightcall.explain.diagnostics.runner import (
    CommandOutcome,
    CommandRequest,
    Runner,
    find_tool,
    run_command,
)
from nightcall.explain.diagnostics.tracemalloc_diff import OPT_IN_ENV, dump_snapshot

__all__ = [  # noqa: RUF022  # plain sorted(), as tests/test_architecture.py checks
    "CATALOGUE",
    "Catalogue",
    "Clock",
    "Command",
    "CommandOutcome",
    "CommandRequest",
    "Diagnostic",
    "DiagnosticLog",
    "DiagnosticPlan",
    "DiagnosticResult",
    "NotAvailable",
    "OPT_IN_ENV",
    "OnResult",
    "ParamKind",
    "ParamSpec",
    "Policy",
    "ProbeOutput",
    "RunStatus",
    "Runner",
    "cli_command",
    "diagnostics_for",
    "dump_snapshot",
    "fill_argv",
    "find_tool",
    "local_host_names",
    "lookup",
    "run_command",
    "run_diagnostic",
    "validate_params",
]
