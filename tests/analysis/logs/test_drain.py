"""Tests for the Drain tree's token generalization and routing bounds."""

from __future__ import annotations

import pytest

from nightcall.analysis.logs.drain import (
    DrainConfig,
    DrainTree,
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


def test_tree_children_are_bounded() -> None:
    """Past `max_children` distinct first tokens, new lines share the wildcard branch."""
    tree = DrainTree(DrainConfig(max_children=3))
    for word in ("alpha", "beta", "gamma", "delta", "epsilon"):
        tree.match_or_add([word, "started", "ok"])
    paths = {cluster.path for cluster in tree.clusters.values()}
    assert {path[1] for path in paths} == {"alpha", "beta", "<*>"}
