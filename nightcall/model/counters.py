"""Thread-safe counts of items accepted and dropped, per signal and reason.

Every dropped item is counted with its reason, so nothing is lost silently; /metrics shows them as
`nightcall_items_accepted_total{signal}` and `nightcall_items_dropped_total{signal,reason}`.
"""

from __future__ import annotations

import threading
from collections import Counter


class ItemCounters:
    """Accepted and dropped item counts; safe to bump from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._accepted: Counter[str] = Counter()
        self._dropped: Counter[tuple[str, str]] = Counter()

    def accepted(self, signal: str, quantity: int) -> None:
        with self._lock:
            self._accepted[signal] += quantity

    def dropped(self, signal: str, reason: str, quantity: int = 1) -> None:
        with self._lock:
            self._dropped[signal, reason] += quantity

    def snapshot(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        with self._lock:
            return dict(self._accepted), dict(self._dropped)
