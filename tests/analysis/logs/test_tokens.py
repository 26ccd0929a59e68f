"""Tests for the token-level operations: matching, similarity and generalization."""

from __future__ import annotations

import pytest

from nightcall.analysis.logs.tokens import (
    covers_either_way,
    is_settled_conflict,
    merge_token,
    similarity,
    token_matches,
)


@pytest.mark.parametrize(
    ("template", "token", "merged"),
    [
        ("root", "root", "root"),
        ("root", "alice", "<*>"),
        ("(uid=0)", "(uid=42)", "(uid=<*>)"),
        ("rhost=web", "rhost=", "rhost=<*>"),
        ("host-a,", "host-b,", "host-<*>,"),
        ("<*>,", "ntp.example.org,", "<*>,"),
        ("(uid=<*>)", "(uid=7)", "(uid=<*>)"),
        ("a", "", "<*>"),
    ],
)
def test_merge_token_keeps_shared_affixes(template: str, token: str, merged: str) -> None:
    """A differing token becomes `<*>` with the key and punctuation both tokens share."""
    assert merge_token(template, token) == merged
    assert token_matches(merged, token)
    assert merge_token(template, token, keep_shared_affixes=False) in {template, "<*>"}


def test_similarity_counts_equal_positions() -> None:
    """Similarity is the share of equal positions; `<*>` equals only `<*>`."""
    assert similarity(["a", "<*>", "c"], ["a", "b", "c"]) == (2 / 3, 1)
    assert similarity(["a", "<*>"], ["a", "<*>"]) == (1.0, 1)
    assert similarity([], []) == (1.0, 0)


def test_only_wholly_literal_tokens_can_conflict() -> None:
    """A literal token conflicts with another value; a token with a variable part never does."""
    assert is_settled_conflict("WindowsUpdateAgent.", "SPP.")
    assert not is_settled_conflict("ssh2", "ssh2")
    assert not is_settled_conflict("(uid=<*>)", "LOGIN(uid=0)")
    assert not is_settled_conflict("<*>", "anything")


def test_covers_either_way_compares_position_by_position() -> None:
    """Two templates cover each other when, at each position, one token matches the other."""
    assert covers_either_way(["for", "<*>", "from"], ["for", "root", "from"])
    assert covers_either_way(["for", "root", "<*>"], ["for", "<*>", "x"])
    assert not covers_either_way(["for", "root"], ["for", "admin"])
