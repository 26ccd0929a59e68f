"""The store: the write-ahead log, the single writer, and the tables behind one interface."""

from nightcall.store.pipeline import IngestPipeline, PipelineStats
from nightcall.store.store import Store, open_store
from nightcall.store.wal import WalRecord, WriteAheadLog

__all__ = [
    "IngestPipeline",
    "PipelineStats",
    "Store",
    "WalRecord",
    "WriteAheadLog",
    "open_store",
]
