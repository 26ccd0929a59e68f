"""Ingest: one subpackage per protocol, each turning bytes into batches for the store."""

from nightcall.ingest.body import decompress, read_limited

__all__ = ["decompress", "read_limited"]
