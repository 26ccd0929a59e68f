"""A compact Drain (He et al., ICWS'17): a fixed-depth prefix tree of log clusters, with
settled constants.

A line is split on whitespace; the tree routes it by its token count, then by its first
`depth - 2` tokens (a token holding a digit, or a `<*>`, goes down the wildcard branch, as a
variable would), and at the leaf the line joins the most similar cluster of the same length
if the share of equal tokens reaches `similarity_threshold`. Joining generalizes the
cluster's template: every position where the line differs becomes `<*>`, keeping what the
two tokens share up to a separator (`rhost=<*>`, `(uid=<*>)`, `<*>,`).

Settled constants (`settle_after`): plain Drain lets one odd line turn a constant of a large
cluster into `<*>` (608 Windows lines `... initialized by client WindowsUpdateAgent.` and one
`... client SPP.` become one template). Here, once a cluster has taken `settle_after` lines,
its wholly literal tokens are settled: a line that differs at one of them does not join it
but starts a *child* cluster (the parent's template with the line's values where they
conflict). Frequent values of real variables (`user root`) must not split a template for
ever, so the split is undone as soon as the position proves variable, which is when a third
value appears: the child itself generalizes at that position (it rejoins the parent), or a
line brings a value that neither the parent nor a child has (the parent generalizes and takes
its children back). So a constant that meets one other value keeps two templates, and a
variable with a dominant value ends as one.

Ids: a cluster's id is assigned once, from a counter starting at 1, when the cluster is
created; it never changes while the template generalizes. When a child rejoins its parent,
the child's id becomes an alias of the parent's (`resolve`), so an id stored earlier still
leads to the template its lines belong to. Each alias is a child cluster created once at a
settled constant, and a constant is split at most once before it becomes `<*>`, so aliases
stay few (at most a handful per template).

Memos (`match_memo`): a line's answer depends only on its route through the tree and on the
clusters at its leaf. Each leaf has a version, bumped whenever one of its clusters is added,
removed or changes its template, and whenever a route to it may change: a route changes only
when a node whose wildcard branch it takes gets a child for the line's own token, so a new
child bumps every leaf under its wildcard sibling. So when a line joined a cluster without
changing it, the next line with the same tokens joins it too, without the search, while its
leaf's version has not moved and the tree may still create clusters (or not) as then: a cache
with exact answers. (A version per cluster would not do: a new sibling can win the line.) A
cluster that becomes settled does not void a memo: the line has no settled conflict with the
cluster it joined unchanged, and a settled sibling can only drop out of the running.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nightcall.analysis.logs.masking import WILDCARD
from nightcall.analysis.logs.tokens import (
    covers_either_way,
    generalize,
    is_settled_conflict,
    similarity,
    token_matches,
)

LENGTH_KEY_PREFIX = "#"  # the first level of the tree is keyed by "#<token count>"


@dataclass(frozen=True, slots=True, kw_only=True)
class DrainConfig:
    """The parameters of the tree, of the similarity test and of settled constants."""

    depth: int = 4
    similarity_threshold: float = 0.7
    max_children: int = 100
    keep_shared_affixes: bool = True  # `(uid=<*>)` rather than `<*>` (plain Drain: False)
    settle_after: int = 10  # lines after which a cluster's literal tokens are settled; 0: never


@dataclass(slots=True, kw_only=True)
class Cluster:
    """One template: its id, its tokens (`<*>` for variables), its size and its tree path.

    `parent` is the id of the cluster this one split from at a settled constant, if any.
    """

    cluster_id: int
    tokens: list[str]
    size: int = 1
    path: tuple[str, ...] = ()
    parent: int | None = None

    @property
    def template(self) -> str:
        """The template as one string, tokens joined by single spaces."""
        return " ".join(self.tokens)


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    clusters: list[Cluster] = field(default_factory=list)
    version: int = 0  # bumped when a cluster here is added, removed or changed, or when a
    # route here may lead elsewhere


@dataclass(slots=True)
class Memo:
    """A masked line, and the cluster it last joined unchanged, with what that answer needs.

    `text.split()` gives the line's tokens. The answer holds while `leaf.version` is what it
    was and the tree may still create clusters or not as then.
    """

    text: str
    cluster: Cluster | None = None
    template: str = ""  # the cluster's template, as it stays while the memo holds
    leaf: _Node | None = None
    leaf_version: int = 0
    may_create: bool = True


@dataclass(slots=True)
class _Candidates:
    """The best cluster a line may join, and the best one that refused it (settled)."""

    best: Cluster | None = None
    best_key: tuple[float, int] = (-1.0, -1)
    refused: Cluster | None = None
    refused_key: tuple[float, int] = (-1.0, -1)


def _has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)


def _bump_all(node: _Node) -> None:
    """Bump the version of `node` and of every node under it."""
    stack = [node]
    while stack:
        node = stack.pop()
        node.version += 1
        stack.extend(node.children.values())


class DrainTree:
    """The prefix tree and its clusters; `match_or_add` is the one entry point for a line."""

    def __init__(self, config: DrainConfig | None = None) -> None:
        self.config = config or DrainConfig()
        self._root = _Node()
        self._leaves: dict[tuple[str, ...], _Node] = {}  # by path
        self.clusters: dict[int, Cluster] = {}
        self.aliases: dict[int, int] = {}  # id of a cluster merged away -> id it merged into
        self.next_id = 1

    def _search_leaf(self, tokens: list[str]) -> _Node | None:
        """The leaf a line is compared against: exact keys, else the wildcard."""
        node = self._root.children.get(f"{LENGTH_KEY_PREFIX}{len(tokens)}")
        if node is None:
            return None
        for token in tokens[: max(self.config.depth - 2, 0)]:
            children = node.children
            child = children.get(token)
            if child is None:
                child = children.get(WILDCARD)
                if child is None:
                    return None
            node = child
        return node

    def _insert_path(self, tokens: list[str]) -> tuple[str, ...]:
        """The path a new cluster goes to; a node keeps at most `max_children` children."""
        path = [f"{LENGTH_KEY_PREFIX}{len(tokens)}"]
        node: _Node | None = self._root.children.get(path[0])
        limit = self.config.max_children
        for token in tokens[: max(self.config.depth - 2, 0)]:
            key = token
            if node is not None and token not in node.children:
                count = len(node.children)
                if _has_digit(token) or token == WILDCARD:
                    key = WILDCARD
                elif WILDCARD in node.children:
                    key = token if count < limit else WILDCARD
                else:
                    key = token if count + 1 < limit else WILDCARD
            elif node is None and _has_digit(token):
                key = WILDCARD
            path.append(key)
            node = node.children.get(key) if node is not None else None
        return tuple(path)

    def _leaf_clusters(self, path: tuple[str, ...]) -> list[Cluster]:
        leaf = self._leaves.get(path)
        return leaf.clusters if leaf is not None else []

    def _make_leaf(self, path: tuple[str, ...]) -> _Node:
        leaf = self._leaves.get(path)
        if leaf is None:
            leaf = self._root
            for key in path:
                child = leaf.children.get(key)
                if child is None:
                    child = leaf.children[key] = _Node()
                    wildcard = leaf.children.get(WILDCARD) if key != WILDCARD else None
                    if wildcard is not None:  # lines with this token went there until now
                        _bump_all(wildcard)
                leaf = child
            self._leaves[path] = leaf
        return leaf

    def _is_settled_against(self, cluster: Cluster, tokens: list[str]) -> bool:
        settle_after = self.config.settle_after
        return (
            settle_after > 0
            and cluster.size >= settle_after
            and any(is_settled_conflict(t, s) for t, s in zip(cluster.tokens, tokens, strict=True))
        )

    def _candidates(self, tokens: list[str], leaf: _Node, *, settle: bool) -> _Candidates:
        found = _Candidates()
        for cluster in leaf.clusters:
            key = similarity(cluster.tokens, tokens)
            if settle and self._is_settled_against(cluster, tokens):
                if key > found.refused_key:
                    found.refused, found.refused_key = cluster, key
            elif key > found.best_key:
                found.best, found.best_key = cluster, key
        return found

    def add_cluster(
        self, tokens: list[str], path: tuple[str, ...], parent: int | None = None
    ) -> Cluster:
        """Create a cluster for `tokens` at `path`, with the next id."""
        cluster = Cluster(cluster_id=self.next_id, tokens=list(tokens), path=path, parent=parent)
        self.next_id += 1
        self.insert(cluster)
        return cluster

    def insert(self, cluster: Cluster) -> None:
        """Put an existing cluster (a restored one) back at its recorded path."""
        leaf = self._make_leaf(cluster.path)
        leaf.clusters.append(cluster)
        leaf.version += 1
        self.clusters[cluster.cluster_id] = cluster

    def resolve(self, cluster_id: int) -> int:
        """Return the id of the live cluster whose lines include those of `cluster_id`."""
        while cluster_id in self.aliases:
            cluster_id = self.aliases[cluster_id]
        return cluster_id

    def _generalize(self, cluster: Cluster, tokens: list[str], lines: int) -> None:
        merged = generalize(
            cluster.tokens, tokens, keep_shared_affixes=self.config.keep_shared_affixes
        )
        if merged != cluster.tokens:
            self._leaves[cluster.path].version += 1
        cluster.tokens = merged
        cluster.size += lines

    def _family_root(self, cluster: Cluster) -> Cluster:
        parent = self.clusters.get(cluster.parent) if cluster.parent is not None else None
        return cluster if parent is None else parent

    def _children(self, root: Cluster) -> list[Cluster]:
        return [c for c in self._leaf_clusters(root.path) if c.parent == root.cluster_id]

    def _absorb(self, root: Cluster, child: Cluster) -> None:
        """Merge `child` into `root`: its lines, its template, and its id as an alias."""
        self._generalize(root, child.tokens, child.size)
        leaf = self._leaves[child.path]
        leaf.clusters.remove(child)
        leaf.version += 1
        del self.clusters[child.cluster_id]
        self.aliases[child.cluster_id] = root.cluster_id

    def _absorb_covered_children(self, root: Cluster) -> Cluster:
        for child in self._children(root):
            if covers_either_way(root.tokens, child.tokens):
                self._absorb(root, child)
        return root

    def _is_third_value(self, root: Cluster, tokens: list[str]) -> bool:
        """Whether the line's value at a settled constant is neither the root's nor a child's."""
        differ = [
            i
            for i, (t, s) in enumerate(zip(root.tokens, tokens, strict=True))
            if is_settled_conflict(t, s)
        ]
        return any(
            child.tokens[i] not in (root.tokens[i], tokens[i])
            for child in self._children(root)
            for i in differ
        )

    def match_or_add(self, tokens: list[str], *, may_create: bool = True) -> Cluster | None:
        """Put a tokenized line in its cluster (generalizing it) or a new one; return it.

        When `may_create` is false (the tree is full) the line joins the most similar
        cluster at its leaf whatever the similarity (settled or not), or None is returned
        when there is none.
        """
        return self._match(tokens, may_create)[0]

    def match_memo(self, memo: Memo, *, may_create: bool = True) -> Cluster | None:
        """`match_or_add` for the tokens of `memo.text`, by the memo while it holds; renew it.

        The answer, the clusters and the ids are exactly `match_or_add`'s; `memo.cluster` is
        afterwards the cluster the line joined unchanged, or None.
        """
        cluster, leaf = memo.cluster, memo.leaf
        if (
            cluster is not None
            and leaf is not None
            and leaf.version == memo.leaf_version
            and memo.may_create == may_create
        ):
            cluster.size += 1  # all that joining does to a cluster it leaves unchanged
            return cluster
        cluster, leaf = self._match(memo.text.split(), may_create)
        if cluster is None or leaf is None:
            memo.cluster = memo.leaf = None
            return cluster
        memo.cluster, memo.template, memo.leaf = cluster, cluster.template, leaf
        memo.leaf_version, memo.may_create = leaf.version, may_create
        return cluster

    def _match(self, tokens: list[str], may_create: bool) -> tuple[Cluster | None, _Node | None]:
        """The line's cluster, and its leaf when the line joined the cluster unchanged."""
        leaf = self._search_leaf(tokens)
        found = _Candidates() if leaf is None else self._candidates(tokens, leaf, settle=may_create)
        cluster, threshold = found.best, self.config.similarity_threshold
        if cluster is not None and (found.best_key[0] >= threshold or not may_create):
            before = cluster.tokens
            self._generalize(cluster, tokens, 1)
            if cluster.tokens == before:
                return cluster, leaf
            parent = self.clusters.get(cluster.parent) if cluster.parent is not None else None
            if parent is not None and covers_either_way(cluster.tokens, parent.tokens):
                self._absorb(parent, cluster)  # the child varied where it split: rejoin
                return self._absorb_covered_children(parent), None
            return cluster, None
        if not may_create:
            return None, None
        refused = found.refused if found.refused_key[0] >= threshold else None
        if refused is None:
            return self.add_cluster(tokens, self._insert_path(tokens)), None
        root = self._family_root(refused)
        if self._is_third_value(root, tokens):
            self._generalize(root, tokens, 1)
            return self._absorb_covered_children(root), None
        # A child is the root's template with the line's values where the root does not fit.
        child = [r if token_matches(r, s) else s for r, s in zip(root.tokens, tokens, strict=True)]
        return self.add_cluster(child, root.path, root.cluster_id), None
