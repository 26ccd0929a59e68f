"""Tests for the Drain tree: routing bounds and settled constants (split, rejoin, aliases)."""

from __future__ import annotations

from nightcall.analysis.logs.drain import Cluster, DrainConfig, DrainTree


def _add(tree: DrainTree, line: str) -> Cluster:
    cluster = tree.match_or_add(line.split())
    assert cluster is not None
    return cluster


def test_tree_children_are_bounded() -> None:
    """Past `max_children` distinct first tokens, new lines share the wildcard branch."""
    tree = DrainTree(DrainConfig(max_children=3))
    for word in ("alpha", "beta", "gamma", "delta", "epsilon"):
        tree.match_or_add([word, "started", "ok"])
    paths = {cluster.path for cluster in tree.clusters.values()}
    assert {path[1] for path in paths} == {"alpha", "beta", "<*>"}


def test_a_settled_constant_splits_off_one_other_value() -> None:
    """After `settle_after` lines, one odd value at a constant gets its own template."""
    tree = DrainTree(DrainConfig(settle_after=3))
    for _ in range(3):
        _add(tree, "session initialized by client WindowsUpdateAgent")
    odd = _add(tree, "session initialized by client SPP")
    assert (odd.cluster_id, odd.parent) == (2, 1)
    assert odd.template == "session initialized by client SPP"
    assert _add(tree, "session initialized by client WindowsUpdateAgent").cluster_id == 1
    assert {c.template for c in tree.clusters.values()} == {
        "session initialized by client WindowsUpdateAgent",
        "session initialized by client SPP",
    }


def test_without_settling_one_odd_value_generalizes_the_constant() -> None:
    """With `settle_after=0` (plain Drain) one odd value turns the constant into `<*>`."""
    tree = DrainTree(DrainConfig(settle_after=0))
    for _ in range(3):
        _add(tree, "session initialized by client WindowsUpdateAgent")
    assert _add(tree, "session initialized by client SPP").template == (
        "session initialized by client <*>"
    )


def test_a_third_value_merges_the_split_back_with_an_alias() -> None:
    """A third value proves the position variable: the child's lines and id join the parent."""
    tree = DrainTree(DrainConfig(settle_after=3))
    for _ in range(3):
        _add(tree, "Failed password for root from port ssh2")
    assert _add(tree, "Failed password for admin from port ssh2").cluster_id == 2
    merged = _add(tree, "Failed password for guest from port ssh2")
    assert merged.cluster_id == 1
    assert merged.template == "Failed password for <*> from port ssh2"
    assert merged.size == 5
    assert tree.aliases == {2: 1}
    assert tree.resolve(2) == 1
    assert list(tree.clusters) == [1]


def test_a_child_that_varies_where_it_split_rejoins_its_parent() -> None:
    """A child that generalizes its split position (before settling) merges into its parent."""
    tree = DrainTree(DrainConfig(settle_after=3))
    for _ in range(3):
        _add(tree, "login ok for root on tty1")
    child = _add(tree, "login ok for admin on tty1")
    assert child.parent == 1
    # `tty2` differs from the parent at another settled constant, so it goes to the child,
    # which generalizes only there: not the split position, so it stays apart.
    assert _add(tree, "login ok for admin on tty2").cluster_id == child.cluster_id
    # The child's split position now varies: it rejoins the parent, which generalizes.
    rejoined = _add(tree, "login ok for bob on <*>")
    assert rejoined.cluster_id == 1
    assert rejoined.template == "login ok for <*> on <*>"
    assert tree.resolve(child.cluster_id) == 1
