"""A compact Drain (He et al., ICWS'17): a fixed-depth prefix tree of log clusters.

A line is split on whitespace; the tree routes it by its token count, then by its first
`depth - 2` tokens (a token holding a digit, or a `<*>`, goes down the wildcard branch, as a
variable would), and at the leaf the line joins the most similar cluster of the same length
if the share of equal tokens reaches `similarity_threshold`. Joining generalizes the
cluster's template: every position where the line differs becomes `<*>`, keeping what the
two tokens share up to a separator (`rhost=<*>`, `(uid=<*>)`, `<*>,`).

Ids: a cluster's id is assigned once, from a counter starting at 1, when the cluster is
created; it never changes while the template generalizes, so a stored id stays valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from nightcall.analysis.logs.masking import WILDCARD

LENGTH_KEY_PREFIX = "#"  # the first level of the tree is keyed by "#<token count>"


@dataclass(frozen=True, slots=True, kw_only=True)
class DrainConfig:
    """The parameters of the tree and of the similarity test."""

    depth: int = 4
    similarity_threshold: float = 0.7
    max_children: int = 100
    keep_shared_affixes: bool = True  # `(uid=<*>)` rather than `<*>` (plain Drain: False)


@dataclass(slots=True, kw_only=True)
class Cluster:
    """One template: its id, its tokens (`<*>` for variables), its size and its tree path."""

    cluster_id: int
    tokens: list[str]
    size: int = 1
    path: tuple[str, ...] = ()

    @property
    def template(self) -> str:
        """The template as one string, tokens joined by single spaces."""
        return " ".join(self.tokens)


@dataclass(slots=True)
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    clusters: list[Cluster] = field(default_factory=list)


def _has_digit(token: str) -> bool:
    return any(c.isdigit() for c in token)


@lru_cache(maxsize=4096)
def _token_pattern(token: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in token.split(WILDCARD)), re.DOTALL)


def token_matches(template_token: str, token: str) -> bool:
    """Whether `token` is an instance of `template_token` (`<*>` matching any characters)."""
    if template_token in (token, WILDCARD):
        return True
    return (
        WILDCARD in template_token and _token_pattern(template_token).fullmatch(token) is not None
    )


def similarity(template: list[str], tokens: list[str]) -> tuple[float, int]:
    """Return the share of positions where `template` and `tokens` agree, and its `<*>` count.

    Both sequences have the same length. A `<*>` agrees only with a `<*>` (a masked value in
    the line), as in the original Drain's sequence distance, and a token with a variable part
    (`(uid=<*>)`) only with itself: counting its instances as agreeing measured worse. The
    `<*>` count breaks ties in favour of the more general template.
    """
    if not tokens:
        return 1.0, 0
    equal = 0
    wildcards = 0
    for t, s in zip(template, tokens, strict=True):
        if t == WILDCARD:
            wildcards += 1
            equal += s == WILDCARD
        elif t == s:
            equal += 1
    return equal / len(tokens), wildcards


def _is_separator(char: str) -> bool:
    return not char.isalnum() and char not in "<*>"


def merge_token(template_token: str, token: str, *, keep_shared_affixes: bool = True) -> str:
    """Generalize one template token to also cover `token`.

    The part both share up to a separator (`key=`, `(`) and from one (`,`, `)`) stays, so
    `rhost=a` and `rhost=` give `rhost=<*>`, and `(uid=0)` and `(uid=42)` give `(uid=<*>)`.
    """
    if token_matches(template_token, token):
        return template_token
    if not keep_shared_affixes:
        return WILDCARD
    limit = min(len(template_token), len(token))
    start = 0
    while start < limit and template_token[start] == token[start]:
        start += 1
    while start > 0 and not _is_separator(template_token[start - 1]):
        start -= 1
    end = 0
    while end < limit - start and template_token[-1 - end] == token[-1 - end]:
        end += 1
    while end > 0 and not _is_separator(template_token[-end]):
        end -= 1
    suffix = template_token[len(template_token) - end :] if end else ""
    return template_token[:start] + WILDCARD + suffix


def generalize(
    template: list[str], tokens: list[str], *, keep_shared_affixes: bool = True
) -> list[str]:
    """Return `template` generalized to cover `tokens`, position by position."""
    return [
        merge_token(t, s, keep_shared_affixes=keep_shared_affixes)
        for t, s in zip(template, tokens, strict=True)
    ]


class DrainTree:
    """The prefix tree and its clusters; `match_or_add` is the one entry point for a line."""

    def __init__(self, config: DrainConfig | None = None) -> None:
        self.config = config or DrainConfig()
        self._root = _Node()
        self.clusters: dict[int, Cluster] = {}
        self.next_id = 1

    def _search_path(self, tokens: list[str]) -> tuple[str, ...] | None:
        """The path to the leaf a line is compared against: exact keys, else the wildcard."""
        path = [f"{LENGTH_KEY_PREFIX}{len(tokens)}"]
        node = self._root.children.get(path[0])
        if node is None:
            return None
        for token in tokens[: max(self.config.depth - 2, 0)]:
            key = token if token in node.children else WILDCARD
            child = node.children.get(key)
            if child is None:
                return None
            path.append(key)
            node = child
        return tuple(path)

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

    def _find_leaf(self, path: tuple[str, ...]) -> _Node | None:
        node: _Node | None = self._root
        for key in path:
            node = node.children.get(key) if node is not None else None
        return node

    def _make_leaf(self, path: tuple[str, ...]) -> _Node:
        node = self._root
        for key in path:
            node = node.children.setdefault(key, _Node())
        return node

    def best_match(self, tokens: list[str], path: tuple[str, ...]) -> tuple[Cluster | None, float]:
        """Return the most similar cluster at the leaf of `path` and its similarity."""
        leaf = self._find_leaf(path)
        best: Cluster | None = None
        best_key = (-1.0, -1)
        for cluster in leaf.clusters if leaf is not None else ():
            key = similarity(cluster.tokens, tokens)
            if key > best_key:
                best, best_key = cluster, key
        return best, best_key[0]

    def add_cluster(self, tokens: list[str], path: tuple[str, ...]) -> Cluster:
        """Create a cluster for `tokens` at `path`, with the next id."""
        cluster = Cluster(cluster_id=self.next_id, tokens=list(tokens), path=path)
        self.next_id += 1
        self.insert(cluster)
        return cluster

    def insert(self, cluster: Cluster) -> None:
        """Put an existing cluster (a restored one) back at its recorded path."""
        self._make_leaf(cluster.path).clusters.append(cluster)
        self.clusters[cluster.cluster_id] = cluster

    def match_or_add(self, tokens: list[str], *, may_create: bool = True) -> Cluster | None:
        """Put a tokenized line in its cluster (generalizing it) or a new one; return it.

        When `may_create` is false (the tree is full) the line joins the most similar
        cluster at its leaf whatever the similarity, or None is returned when there is none.
        """
        search = self._search_path(tokens)
        cluster, score = (None, 0.0) if search is None else self.best_match(tokens, search)
        if cluster is not None and (score >= self.config.similarity_threshold or not may_create):
            cluster.tokens = generalize(
                cluster.tokens, tokens, keep_shared_affixes=self.config.keep_shared_affixes
            )
            cluster.size += 1
            return cluster
        if not may_create:
            return None
        return self.add_cluster(tokens, self._insert_path(tokens))
