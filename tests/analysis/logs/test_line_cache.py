"""Tests for the miner's memory of recent lines: bounds, sharing, and answers it never changes."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from nightcall.analysis.logs import DEFAULT_MASKS, MinerConfig, TemplateMiner
from nightcall.analysis.logs.line_cache import LineCache


def test_a_body_seen_before_is_not_masked_again() -> None:
    """The second time a body comes, its memo is found by the body alone."""
    lines = LineCache(DEFAULT_MASKS, max_chars=1000)
    memo = lines.memo("user 7 logged in from 10.0.0.7")
    assert memo.text == "user <*> logged in from <*>"
    assert lines.memo("user 7 logged in from 10.0.0.7") is memo
    assert lines.masked == 1


def test_bodies_with_one_masked_line_share_a_memo() -> None:
    """Bodies that differ only in masked values share the memo of their masked line."""
    lines = LineCache(DEFAULT_MASKS, max_chars=1000)
    assert lines.memo("took 35ms") is lines.memo("took 12ms")
    assert lines.sizes() == (2, 1)


def test_the_oldest_lines_are_forgotten_past_max_chars() -> None:
    """Each map keeps at most `max_chars` characters of keys, forgetting the oldest first."""
    lines = LineCache((), max_chars=20)
    first = lines.memo("a" * 8)
    lines.memo("b" * 8)
    lines.memo("c" * 8)  # 24 characters: the first body goes
    assert lines.sizes() == (2, 2)
    assert lines.memo("a" * 8) is not first
    lines.memo("d" * 21)  # longer than the bound: not remembered at all
    assert lines.sizes() == (2, 2)


def test_nothing_is_remembered_with_max_chars_zero() -> None:
    """With `max_chars=0` every line is masked and gets a fresh memo."""
    lines = LineCache(DEFAULT_MASKS, max_chars=0)
    assert lines.memo("x 1") is not lines.memo("x 1")
    assert (lines.sizes(), lines.masked) == ((0, 0), 2)


_TOKENS = ["a", "b", "c", "7", "x1", "<*>", "k=v", "k=", "(u=1)", "(u=2)", "p,", "10.0.0.1",
           "/a/b", "0x1f", "35ms"]  # fmt: skip
_LINE = st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=5).map(" ".join)
_CONFIGS = (
    MinerConfig(),
    MinerConfig(settle_after=2),
    MinerConfig(max_clusters=3, settle_after=1),
    MinerConfig(depth=3, max_children=2, similarity_threshold=0.5),
    MinerConfig(depth=5, max_children=1, keep_shared_affixes=False, settle_after=3),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=12), st.lists(st.integers(0, 11), max_size=80))
def test_the_cache_changes_no_answer(distinct: list[str], picks: list[int]) -> None:
    """With the cache, a small one, or none, the miner gives the same ids, templates, state."""
    lines = distinct + [distinct[i % len(distinct)] for i in picks]  # repeats, as in real logs
    for config in _CONFIGS:
        results = []
        for cache_chars in (0, 12, config.cache_chars):
            miner = TemplateMiner(dataclasses.replace(config, cache_chars=cache_chars))
            answers = [miner.add(line) for line in lines]
            results.append((answers, miner.snapshot(), miner.templates(), miner.sizes()))
        assert results[0] == results[1] == results[2]
