"""Tables the CLI prints, checked against golden files (refresh with --update-golden)."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console
from rich.table import Table

from nightcall.cli.render import services_table, trace_table


def _text(table: Table) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, force_terminal=False).print(table)
    return buffer.getvalue()


def test_services_table_puts_the_worst_service_first(golden: Callable[[str, str], None]) -> None:
    """Services sort by error rate, then p95, so the likely culprit is on the first line."""
    services = [
        {"service": "catalog", "request_rate_per_s": 12.5, "error_rate": 0.0, "p50_ms": 8.0,
         "p95_ms": 20.0, "p99_ms": 31.5},
        {"service": "payment", "request_rate_per_s": 3.25, "error_rate": 0.125, "p50_ms": 900.0,
         "p95_ms": 1800.0, "p99_ms": 2500.0},
        {"service": "idle", "request_rate_per_s": 0.0, "error_rate": 0.0, "p50_ms": None,
         "p95_ms": None, "p99_ms": None},
    ]  # fmt: skip
    golden("cli/services_table.txt", _text(services_table(services)))


def test_trace_table_indents_children_under_parents(golden: Callable[[str, str], None]) -> None:
    """Spans print as a tree in start order, with offsets from the trace's start."""

    def span(
        span_id: str, parent: str | None, name: str, start: int, ms: float
    ) -> dict[str, object]:
        return {"span_id": span_id, "parent_span_id": parent, "name": name, "service": "shop",
                "start_unix_nano": start, "duration_ms": ms, "status_code": "Unset",
                "status_message": ""}  # fmt: skip

    trace = {
        "trace_id": "5b8efff798038103d269b633813fc60c", "duration_ms": 120.0, "span_count": 3,
        "start_unix_nano": 1_000_000_000,
        "spans": [span("b", "a", "SELECT", 1_010_000_000, 30.0),
                  span("a", None, "GET /cart", 1_000_000_000, 120.0),
                  span("c", "a", "redis GET", 1_005_000_000, 2.5)],
    }  # fmt: skip
    golden("cli/trace_table.txt", _text(trace_table(trace)))
