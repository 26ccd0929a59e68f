"""The signature cache: hits for events seen before, least recently used evicted first."""

from __future__ import annotations

import pytest

from nightcall.analysis.errors import SignatureCache, event_signature


def test_keeps_the_most_recently_used_entries() -> None:
    """Beyond its size the cache forgets the entry used longest ago, and counts hits and misses."""
    signature = event_signature({"message": "boom"})
    cache = SignatureCache(max_entries=2)
    cache.put_many({"a": signature, "b": signature})
    assert cache.get_many(["a"]) == {"a": signature}  # a is now the most recent
    cache.put_many({"c": signature})
    assert set(cache.get_many(["a", "b", "c"])) == {"a", "c"}
    assert (len(cache), cache.hits, cache.misses) == (2, 3, 1)


def test_refuses_a_size_below_one() -> None:
    """A cache that can hold nothing is a mistake in the caller, said so at construction."""
    with pytest.raises(ValueError, match="max_entries must be at least 1"):
        SignatureCache(max_entries=0)
