"""Ground truth: which fault was injected where and when, written beside the telemetry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from nightcall.demo.faults import Fault, expected_signals
from nightcall.model import format_time_ns

NS = 1_000_000_000


def fault_truth(fault: Fault, origin_ns: int) -> dict[str, Any]:
    """The record of one fault: `{fault, service, start, end, expected_signals, ...}`."""
    start_ns = origin_ns + int(fault.start_s * NS)
    end_ns = origin_ns + int(fault.end_s * NS)
    return {
        "fault": fault.kind.value,
        "service": fault.service,
        "target": fault.target,
        "start": format_time_ns(start_ns),
        "end": format_time_ns(end_ns),
        "start_unix_nano": start_ns,
        "end_unix_nano": end_ns,
        "period_s": fault.period_s or None,
        "expected_signals": [s.to_json() for s in expected_signals(fault)],
    }


def run_truth(
    *,
    mode: str,
    faults: list[Fault],
    origin_ns: int,
    duration_s: float,
    seed: int | None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The truth file of a run: its window, its seed, and every fault's record."""
    end_ns = origin_ns + int(duration_s * NS)
    return {
        "mode": mode,
        "seed": seed,
        "start": format_time_ns(origin_ns),
        "end": format_time_ns(end_ns),
        "start_unix_nano": origin_ns,
        "end_unix_nano": end_ns,
        "faults": [fault_truth(f, origin_ns) for f in faults],
        **(extra or {}),
    }


def write_truth(path: Path, truth: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps(truth, option=orjson.OPT_INDENT_2) + b"\n")


def read_truth(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = orjson.loads(path.read_bytes())
    return loaded
