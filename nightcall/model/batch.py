"""The unit that flows from a decoder through the write-ahead log into the store."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Signal(StrEnum):
    """The kinds of telemetry nightcall stores."""

    TRACES = "traces"
    METRICS = "metrics"
    LOGS = "logs"
    ERRORS = "errors"


@dataclass(frozen=True, slots=True, kw_only=True)
class EncodedBatch:
    """Rows for one table, already in the store's insert format.

    `payload` is a `JSONCompactColumns` block (a JSON array with one array per column, in the
    order `columns` names them). Blocks with the same table and columns concatenate, so the
    writer inserts many requests at once without touching a row in Python.
    """

    table: str
    columns: tuple[str, ...]
    payload: bytes
    rows: int


@dataclass(frozen=True, slots=True, kw_only=True)
class DecodedRequest:
    """What one ingest request decoded to: batches to store, and the items refused."""

    signal: Signal
    batches: tuple[EncodedBatch, ...]
    accepted: int
    rejected: int = 0
    rejection_reason: str = ""
