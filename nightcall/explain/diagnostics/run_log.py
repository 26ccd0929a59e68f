"""The record of what ran: a bounded in-memory log of diagnostic runs, with a hook per run.

The incidents layer passes `on_result` to attach each result to its hypothesis as evidence
(`DiagnosticResult.to_evidence()`); the API lists `recent()` at /api/v1/diagnostics/runs.
A failing hook is logged and the run is kept: recording never breaks a diagnostic.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import TypeAlias

from nightcall.explain.diagnostics.record import DiagnosticResult

log = logging.getLogger("nightcall.diagnostics")

OnResult: TypeAlias = Callable[[DiagnosticResult], None]


class DiagnosticLog:
    """The last `max_runs` results, newest last; thread-safe (the API runs them in threads)."""

    def __init__(self, *, max_runs: int = 200, on_result: OnResult | None = None):
        self._runs: deque[DiagnosticResult] = deque(maxlen=max_runs)
        self._lock = threading.Lock()
        self.on_result = on_result
        self.hook_failures = 0

    def record(self, result: DiagnosticResult) -> None:
        """Keep `result` and hand it to the hook, if any."""
        with self._lock:
            self._runs.append(result)
        if self.on_result is None:
            return
        try:
            self.on_result(result)
        except Exception:  # the hook is another layer's code; the run itself succeeded
            self.hook_failures += 1
            log.exception("the on_result hook failed for diagnostic %s", result.name)

    def recent(self, limit: int = 50) -> list[DiagnosticResult]:
        """The newest `limit` runs, newest first."""
        with self._lock:
            runs = list(self._runs)
        return runs[::-1][:limit]

    def __len__(self) -> int:
        with self._lock:
            return len(self._runs)
