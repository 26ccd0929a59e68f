"""Online template mining for ingest: one Drain tree per service, bounded, snapshot-able.

    miner = TemplateMiner()
    template_id, template = miner.add("Connection closed by 10.0.0.7 port 5022")

`TemplateRegistry` keeps one miner per service (`registry.add(service, body)`), so two
services never share a template or an id. Template ids are per service, assigned from a
counter when a cluster is created, and stay the same while its template generalizes; id 0 is
the overflow template (below). When a template that split off at a settled constant (see
`drain`) proves to differ only in a variable, it merges back into the older one and its id
becomes an alias: `resolve(id)` gives the live id, so ids stored with earlier lines still lead
to their template. Mining is deterministic: the same lines in the same order
give the same ids and templates, and `restore(snapshot())` continues exactly where the
original left off. A snapshot is plain JSON-able data; writing it somewhere is the store's job.

Memory is bounded by `max_clusters` per service. When a service has that many templates, a
line that matches none joins the most similar template at its tree leaf (generalizing it),
and a line with no template at its leaf gets the overflow template `(0, "<*>")`, counted in
`overflow_count`.

Speed: a miner remembers recent bodies and masked lines (`line_cache`, up to `cache_chars`
characters each), so a body seen before is not masked again, and a line that joined a template
without changing it joins it again without the tree search while the tree proves that answer
unchanged (`drain.Memo`). The answers are exactly those of masking and searching every line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeAlias

from nightcall.analysis.logs.drain import Cluster, DrainConfig, DrainTree
from nightcall.analysis.logs.line_cache import LineCache
from nightcall.analysis.logs.masking import DEFAULT_MASKS, WILDCARD, MaskRule, mask_line

OVERFLOW_ID = 0
SNAPSHOT_VERSION = 2  # 2 added each cluster's `parent` and the `aliases`
READABLE_VERSIONS = (1, 2)  # a version-1 snapshot reads as one without splits or merges
Snapshot: TypeAlias = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class MinerConfig:
    """One configuration for all logs: the tree, the masks and the memory bound."""

    depth: int = 4
    similarity_threshold: float = 0.7
    max_children: int = 100
    max_clusters: int = 5000
    keep_shared_affixes: bool = True
    masks: tuple[MaskRule, ...] = DEFAULT_MASKS
    settle_after: int = 10
    cache_chars: int = 262_144  # remembered bodies and masked lines, per service; 0: none

    @property
    def drain(self) -> DrainConfig:
        """The tree's part of the configuration."""
        return DrainConfig(
            depth=self.depth,
            similarity_threshold=self.similarity_threshold,
            max_children=self.max_children,
            keep_shared_affixes=self.keep_shared_affixes,
            settle_after=self.settle_after,
        )


class TemplateMiner:
    """Mine templates from the log bodies of one service, one line at a time."""

    def __init__(self, config: MinerConfig | None = None) -> None:
        self.config = config or MinerConfig()
        self._tree = DrainTree(self.config.drain)
        self.lines = LineCache(self.config.masks, max_chars=self.config.cache_chars)
        self.overflow_count = 0

    def tokenize(self, body: str) -> list[str]:
        """Return the masked tokens of `body` (whitespace-separated)."""
        return mask_line(body, self.config.masks).split()

    def add(self, body: str) -> tuple[int, str]:
        """Assign `body` to a template (creating or generalizing one); return its id and text."""
        tree = self._tree
        memo = self.lines.memo(body)
        cluster = tree.match_memo(memo, may_create=len(tree.clusters) < self.config.max_clusters)
        if cluster is None:
            self.overflow_count += 1
            return OVERFLOW_ID, WILDCARD
        return cluster.cluster_id, memo.template if memo.cluster is cluster else cluster.template

    def resolve(self, template_id: int) -> int:
        """Return the live id for `template_id`: itself, or the template it was merged into."""
        return self._tree.resolve(template_id)

    def templates(self) -> dict[int, str]:
        """Every template by id, in id order."""
        return {cid: c.template for cid, c in sorted(self._tree.clusters.items())}

    def sizes(self) -> dict[int, int]:
        """How many lines each template has taken, by id."""
        return {cid: c.size for cid, c in sorted(self._tree.clusters.items())}

    def snapshot(self) -> Snapshot:
        """Return the miner's state as plain JSON-able data (the configuration is not in it)."""
        return {
            "version": SNAPSHOT_VERSION,
            "next_id": self._tree.next_id,
            "overflow_count": self.overflow_count,
            "clusters": [
                {
                    "id": c.cluster_id,
                    "tokens": list(c.tokens),
                    "size": c.size,
                    "path": list(c.path),
                    "parent": c.parent,
                }
                for _, c in sorted(self._tree.clusters.items())
            ],
            "aliases": [[old, new] for old, new in sorted(self._tree.aliases.items())],
        }

    @classmethod
    def restore(cls, snapshot: Snapshot, config: MinerConfig | None = None) -> TemplateMiner:
        """Rebuild a miner from `snapshot()`'s data; it assigns future lines as the original.

        Raises:
            ValueError: when the snapshot has another version or a malformed cluster.
        """
        if snapshot.get("version") not in READABLE_VERSIONS:
            raise ValueError(
                f"template snapshot version {snapshot.get('version')!r} is not supported: "
                f"expected one of {READABLE_VERSIONS}; mine the templates again from the logs"
            )
        miner = cls(config)
        try:
            for item in snapshot["clusters"]:
                miner._tree.insert(
                    Cluster(
                        cluster_id=int(item["id"]),
                        tokens=[str(t) for t in item["tokens"]],
                        size=int(item["size"]),
                        path=tuple(str(k) for k in item["path"]),
                        parent=None if item.get("parent") is None else int(item["parent"]),
                    )
                )
            for old, new in snapshot.get("aliases", []):
                miner._tree.aliases[int(old)] = int(new)
            miner._tree.next_id = int(snapshot["next_id"])
            miner.overflow_count = int(snapshot["overflow_count"])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed template snapshot: {exc!r}") from exc
        return miner


class TemplateRegistry:
    """One `TemplateMiner` per service, created on the service's first line."""

    def __init__(self, config: MinerConfig | None = None) -> None:
        self.config = config or MinerConfig()
        self._miners: dict[str, TemplateMiner] = {}

    def miner(self, service: str) -> TemplateMiner:
        """Return the service's miner, creating it on first use."""
        miner = self._miners.get(service)
        if miner is None:
            miner = self._miners[service] = TemplateMiner(self.config)
        return miner

    def add(self, service: str, body: str) -> tuple[int, str]:
        """Assign a log body of `service` to one of that service's templates."""
        return self.miner(service).add(body)

    def services(self) -> list[str]:
        """The services seen so far, sorted."""
        return sorted(self._miners)

    def snapshot(self) -> Snapshot:
        """Every service's miner state, as plain JSON-able data."""
        return {
            "version": SNAPSHOT_VERSION,
            "services": {name: self._miners[name].snapshot() for name in self.services()},
        }

    @classmethod
    def restore(cls, snapshot: Snapshot, config: MinerConfig | None = None) -> TemplateRegistry:
        """Rebuild a registry from `snapshot()`'s data.

        Raises:
            ValueError: when the snapshot has another version or is malformed.
        """
        if snapshot.get("version") not in READABLE_VERSIONS or "services" not in snapshot:
            raise ValueError(
                f"template registry snapshot version {snapshot.get('version')!r} is not "
                f"supported: expected one of {READABLE_VERSIONS} with a 'services' mapping"
            )
        registry = cls(config)
        for name, state in snapshot["services"].items():
            registry._miners[str(name)] = TemplateMiner.restore(state, registry.config)
        return registry


def mine_templates(
    lines: Iterable[str], config: MinerConfig | None = None
) -> list[tuple[int, str]]:
    """Mine a batch of lines; return each line's template id and its final template.

    Unlike `TemplateMiner.add`, which returns the template as it stood when the line came,
    the batch answer gives every line the id and template its cluster ended with (a merged
    id resolved to the template it merged into).
    """
    miner = TemplateMiner(config)
    ids = [miner.add(line)[0] for line in lines]
    final = miner.templates()
    resolved = [miner.resolve(cid) for cid in ids]
    return [(cid, final.get(cid, WILDCARD)) for cid in resolved]
