"""A bounded, thread-safe LRU of event signatures keyed by event id.

An event never changes once stored, so its signature can be kept for as long as memory allows:
listing error groups again reads only the events that arrived since, not every event's JSON.
One cache belongs to one reader (the API builds its own); there is no process-wide instance.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping

from nightcall.analysis.errors.signature import EventSignature

DEFAULT_MAX_ENTRIES = 50_000  # a signature is a few hundred bytes: ~25 MB at most


class SignatureCache:
    """Event id → `EventSignature`, evicting the least recently used beyond `max_entries`."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES):
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, EventSignature] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, event_ids: Iterable[str]) -> dict[str, EventSignature]:
        """The cached signatures among `event_ids` (the others are misses)."""
        found: dict[str, EventSignature] = {}
        with self._lock:
            for event_id in event_ids:
                signature = self._entries.get(event_id)
                if signature is None:
                    self.misses += 1
                    continue
                self._entries.move_to_end(event_id)
                found[event_id] = signature
                self.hits += 1
        return found

    def put_many(self, signatures: Mapping[str, EventSignature]) -> None:
        """Remember signatures, evicting the least recently used when full."""
        with self._lock:
            for event_id, signature in signatures.items():
                self._entries[event_id] = signature
                self._entries.move_to_end(event_id)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
