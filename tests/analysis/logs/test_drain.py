"""Tests for the Drain tree: routing bounds, settled constants (split, rejoin, aliases), memos."""

from __future__ import annotations

from nightcall.analysis.logs.drain import Cluster, DrainConfig, DrainTree, Memo


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


def test_a_memo_holds_the_cluster_a_line_joined_unchanged() -> None:
    """A line that joins a cluster without changing it is remembered, and joins it again."""
    tree = DrainTree(DrainConfig(settle_after=0))
    memo = Memo("GET <*> 200")
    created = tree.match_memo(memo)
    assert created is not None
    assert (memo.cluster, memo.leaf) == (None, None)  # a new cluster is not a join
    assert tree.match_memo(memo) is created
    assert (memo.cluster, memo.template) == (created, "GET <*> 200")
    assert tree.match_memo(memo) is created
    assert created.size == 3


def test_a_new_sibling_that_wins_the_line_voids_the_memo() -> None:
    """After a more similar cluster appears at the leaf, the line goes to it, memo or not."""
    tree = DrainTree(DrainConfig(depth=3, similarity_threshold=0.5, settle_after=0))
    _add(tree, "a x y d e")
    general = _add(tree, "a z w d e")
    assert general.template == "a <*> <*> d e"
    memo = Memo("a b c d e")
    assert tree.match_memo(memo) is general
    assert memo.cluster is general
    closer = _add(tree, "a b c d f")  # 2 of 5 like the general one: a cluster of its own
    assert closer.cluster_id == 2
    assert tree.match_memo(memo) is closer
    assert closer.template == "a b c d <*>"


def test_a_new_route_for_the_line_voids_the_memo() -> None:
    """A new tree node for a token a remembered line took the wildcard branch for re-routes it."""
    tree = DrainTree(DrainConfig(settle_after=0))
    numbered = _add(tree, "user 42 logged in")
    memo = Memo("user bob logged in")
    assert tree.match_memo(memo) is numbered  # `bob` has no node: the wildcard branch
    assert tree.match_memo(memo) is numbered
    assert memo.cluster is numbered
    other = _add(tree, "user bob zz yy")  # too far from the numbered one: a node for `bob`
    assert other.path == ("#4", "user", "bob")
    rerouted = tree.match_memo(memo)
    assert rerouted is not None
    assert rerouted.cluster_id == 3
    assert rerouted.template == "user bob logged in"
    assert numbered.size == 3


def test_memos_give_the_answers_of_plain_matching() -> None:
    """Many lines through memos and through `match_or_add` build the same clusters and ids."""
    lines = [f"{verb} {who} {what} now" for verb in ("get", "put", "7") for who in
             ("ann", "bob", "9") for what in ("x", "y", "ok")] * 3  # fmt: skip
    for config in (DrainConfig(settle_after=2), DrainConfig(depth=3, max_children=2)):
        plain, memoized = DrainTree(config), DrainTree(config)
        memos: dict[str, Memo] = {}
        for line in lines:
            expected = plain.match_or_add(line.split())
            got = memoized.match_memo(memos.setdefault(line, Memo(line)))
            assert (got and got.cluster_id, got and got.template) == (
                expected and expected.cluster_id,
                expected and expected.template,
            )
        assert {i: c.template for i, c in memoized.clusters.items()} == {
            i: c.template for i, c in plain.clusters.items()
        }


def test_a_memo_made_while_clusters_could_be_created_does_not_hold_once_the_tree_is_full() -> None:
    """When the tree is full, a settled cluster the line conflicts with may take it after all."""
    tree = DrainTree(DrainConfig(depth=3, similarity_threshold=0.5, settle_after=2))
    settled = _add(tree, "a b c d")
    _add(tree, "a b c d")
    _add(tree, "a x y e")
    general = _add(tree, "a z w e")
    assert general.template == "a <*> <*> e"
    memo = Memo("a b c e")  # closer to the settled one, which refuses it: joins the general one
    assert tree.match_memo(memo) is general
    assert memo.cluster is general
    assert tree.match_memo(memo, may_create=False) is settled
    assert settled.template == "a b c <*>"
