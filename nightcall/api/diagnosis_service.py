"""Diagnoses on demand (cached) and continuously (a loop that records new hypotheses).

On demand: a window is diagnosed once and the answer kept while no new data has been stored
(the writer's row count has not moved) or for `FRESH_S` seconds, so a page that asks twice
does not pay twice, and data that arrives late, even with past timestamps, is seen by the next
ask. Continuously: every `diagnosis_interval_s` the last `diagnosis_window_s` is diagnosed; a
hypothesis (kind, service) not proposed in the previous round is new, and is written to
`nightcall_hypothesis_events` through the ingest pipeline (the single writer owns the store's
writes) and logged.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

import orjson

from nightcall.api.diagnosis_json import hypothesis_json
from nightcall.explain import Diagnosis, DiagnosisConfig, diagnose
from nightcall.model import EncodedBatch, Hypothesis
from nightcall.store.pipeline import IngestPipeline
from nightcall.store.queries_traces import Window
from nightcall.store.schema import HYPOTHESIS_EVENTS
from nightcall.store.store import Store

log = logging.getLogger("nightcall.diagnosis")
CACHE_ENTRIES = 32
FRESH_S = 10.0
# Told every continuous round's hypotheses (all of them, not only the new) and the round's time.
HypothesesListener = Callable[[list[Hypothesis], int], None]
CacheKey = tuple[int, int, str | None, frozenset[str] | None]


class DiagnosisService:
    """Diagnoses windows of one store, cached, one at a time (a diagnosis uses a core)."""

    def __init__(
        self,
        store: Store,
        pipeline: IngestPipeline,
        now_ns: Callable[[], int],
        config: DiagnosisConfig | None = None,
        on_hypotheses: HypothesesListener | None = None,
    ) -> None:
        self._store = store
        self._pipeline = pipeline
        self._now_ns = now_ns
        self._config = config or DiagnosisConfig()
        self._on_hypotheses = on_hypotheses
        self._lock = threading.Lock()
        self._cache: OrderedDict[CacheKey, tuple[int, int, Diagnosis]] = OrderedDict()
        self._previous: set[tuple[str, str]] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _stored_rows(self) -> int:
        return sum(self._pipeline.stats.rows_inserted.values())

    def diagnose(
        self,
        window: Window,
        service: str | None = None,
        signals: frozenset[str] | None = None,
    ) -> Diagnosis:
        """The diagnosis of `window` (for `service` and what it calls, from `signals` only,
        when given)."""
        key = (window.start_ns, window.end_ns, service, signals)
        with self._lock:
            rows, now = self._stored_rows(), self._now_ns()
            cached = self._cache.get(key)
            if cached is not None and (cached[0] == rows or now - cached[1] < FRESH_S * 1e9):
                self._cache.move_to_end(key)
                return cached[2]
            result = diagnose(
                self._store, window, service=service, config=self._config, signals=signals
            )
            self._cache[key] = (rows, now, result)
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
            return result

    def start(self, interval_s: float, window_s: float) -> None:
        """Diagnose the last `window_s` every `interval_s` in a daemon thread (0: do nothing)."""
        if interval_s <= 0:
            return
        self._thread = threading.Thread(
            target=self._loop, args=(interval_s, window_s), name="nightcall-diagnosis", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _loop(self, interval_s: float, window_s: float) -> None:
        while not self._stop.wait(interval_s):
            try:
                self.evaluate(window_s)
            except Exception:  # never crash the server over a diagnosis; say so and go on
                log.exception("continuous diagnosis failed; it runs again in %.0f s", interval_s)

    def evaluate(self, window_s: float) -> list[Hypothesis]:
        """Diagnose the last `window_s` now; record and return the hypotheses that are new."""
        end = self._now_ns()
        window = Window(start_ns=end - int(window_s * 1e9), end_ns=end)
        diagnosis = self.diagnose(window)
        current = {(h.kind.value, h.service): h for h in diagnosis.hypotheses}
        new = [h for key, h in current.items() if key not in self._previous]
        self._previous = set(current)
        if self._on_hypotheses is not None:
            self._on_hypotheses(list(current.values()), end)
        if new:
            self._pipeline.submit((hypothesis_batch(new, end),))
            for hypothesis in new:
                log.warning(
                    "new hypothesis: %s in %s (confidence %.2f): %s",
                    hypothesis.kind.value,
                    hypothesis.service,
                    hypothesis.confidence,
                    hypothesis.statement,
                )
        return new


def hypothesis_batch(hypotheses: list[Hypothesis], time_ns: int) -> EncodedBatch:
    """Rows of `nightcall_hypothesis_events` for `hypotheses`, proposed at `time_ns`."""
    rows = [
        (time_ns, h.kind.value, h.service, h.confidence, h.onset_ns, h.statement,
         orjson.dumps(hypothesis_json(h, rank)).decode())
        for rank, h in enumerate(hypotheses, 1)
    ]  # fmt: skip
    columns = [list(column) for column in zip(*rows, strict=True)]
    return EncodedBatch(
        table=HYPOTHESIS_EVENTS.name,
        columns=HYPOTHESIS_EVENTS.insert_columns,
        payload=orjson.dumps(columns),
        rows=len(rows),
    )
