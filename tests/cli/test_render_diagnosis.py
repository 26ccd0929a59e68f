"""The diagnosis as a terminal shows it, and as OpenRCA records."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.console import Console

from nightcall.cli.render_diagnosis import hypotheses_view, openrca_records

ANSWER: dict[str, Any] = {
    "window": {"start": "2026-11-01T03:00:00Z", "end": "2026-11-01T04:00:00Z"},
    "series": 148,
    "onset": "2026-11-01T03:25:00.123456789Z",
    "hypotheses": [
        {
            "rank": 1,
            "kind": "cpu_bottleneck",
            "service": "catalog",
            "confidence": 0.88,
            "statement": "catalog is short of CPU",
            "impact": "callers affected: frontend (p95 240 -> 610 ms)",
            "onset": "2026-11-01T03:25:00.123456789Z",
            "evidence": [
                {"label": "process.cpu.utilization", "value": 0.99,
                 "detail": "process.cpu.utilization rose from 5.6% to 99.0%"},
                {"label": "deploy", "value": "5.1.0"},
            ],
            "steps": ["Check CPU saturation on demo-host", "Profile pid 4242", "Compare load"],
            "stabilize": ["Scale catalog out"],
        },
        {
            "rank": 2,
            "kind": "latency_regression",
            "service": "frontend",
            "confidence": 0.05,
            "statement": "frontend itself got slower",
            "impact": "",
            "onset": "2026-11-01T03:25:00.123456789Z",
            "evidence": [{"label": "latency_p95", "value": 610.0}],
            "steps": ["Look at the slowest traces"],
            "stabilize": [],
        },
    ],
    "candidates": [
        {"rank": 1, "service": "catalog", "score": 50.0,
         "signals": [{"series": 'process.cpu.utilization{service="catalog"}'}]},
        {"rank": 2, "service": "frontend", "score": 4.2, "signals": []},
    ],
}  # fmt: skip


def _text(answer: dict[str, Any]) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=100, color_system=None, force_terminal=False).print(
        hypotheses_view(answer)
    )
    return buffer.getvalue()


def test_hypotheses_print_best_first_with_evidence_and_steps(
    golden: Callable[[str, str], None],
) -> None:
    """Each hypothesis is a panel (kind, service, confidence, evidence, steps), then candidates."""
    text = _text(ANSWER)
    assert text.index("cpu_bottleneck") < text.index("latency_regression")
    golden("cli/hypotheses.txt", text)


def test_an_empty_diagnosis_says_so() -> None:
    """No hypothesis is a sentence, not an empty screen."""
    text = _text({"hypotheses": [], "window": {}, "series": 3, "onset": None})
    assert "No hypothesis" in text


def test_openrca_records_carry_the_top_answer() -> None:
    """The OpenRCA export is the top hypothesis as {datetime, component, reason}."""
    assert openrca_records(ANSWER) == [
        {"datetime": "2026-11-01 03:25:00", "component": "catalog", "reason": "cpu bottleneck"}
    ]
