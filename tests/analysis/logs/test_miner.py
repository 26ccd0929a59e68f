"""Tests for the online template miner: golden templates, ids, snapshots, services, bounds."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nightcall.analysis.logs import (
    MinerConfig,
    TemplateMiner,
    TemplateRegistry,
    mine_templates,
)
from nightcall.analysis.logs.masking import WILDCARD
from nightcall.analysis.logs.miner import OVERFLOW_ID

SSH_LINES = [
    "Failed password for root from 10.0.0.7 port 5022 ssh2",
    "Failed password for admin from 10.0.0.9 port 6011 ssh2",
    "Accepted publickey for deploy from 10.0.1.2 port 40022 ssh2",
    "Connection closed by 192.168.3.4 [preauth]",
    "Failed password for guest from 172.16.0.1 port 7 ssh2",
    "Connection closed by 192.168.3.5 [preauth]",
]


def _matches(template: str, line: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in template.split(WILDCARD))
    return re.fullmatch(pattern, " ".join(line.split()), flags=re.DOTALL) is not None


def test_golden_ssh_templates() -> None:
    """Lines of the same event share one template, with `<*>` where they differ."""
    assert mine_templates(SSH_LINES) == [
        (1, "Failed password for <*> from <*> port <*> ssh2"),
        (1, "Failed password for <*> from <*> port <*> ssh2"),
        (2, "Accepted publickey for deploy from <*> port <*> ssh2"),
        (3, "Connection closed by <*> [preauth]"),
        (1, "Failed password for <*> from <*> port <*> ssh2"),
        (3, "Connection closed by <*> [preauth]"),
    ]


def test_golden_masks_values() -> None:
    """Numbers, durations, hex, uuids, paths and quoted strings are masked on first sight."""
    lines = [
        "request 3f2b1c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f took 35ms status=200",
        "wrote 4096 bytes to /var/lib/app/data.db at 0x7ffd1234",
        "eth0 link up, jk2_init() ok",
    ]
    assert [t for _, t in mine_templates(lines)] == [
        "request <*> took <*> status=<*>",
        "wrote <*> bytes to <*> at <*>",
        "eth0 link up, jk2_init() ok",
    ]


def test_golden_hdfs_block_lines() -> None:
    """HDFS lines with block ids and sizes group by event, as Loghub labels them."""
    lines = [
        "PacketResponder 1 for block blk_38865049064139660 terminating",
        "Received block blk_-6952295868487656571 of size 67108864 from /10.251.42.84",
        "PacketResponder 0 for block blk_-6952295868487656571 terminating",
        "Received block blk_7128370237687728475 of size 67108864 from /10.251.203.80",
    ]
    assert mine_templates(lines) == [
        (1, "PacketResponder <*> for block blk_<*> terminating"),
        (2, "Received block blk_<*> of size <*> from /<*>"),
        (1, "PacketResponder <*> for block blk_<*> terminating"),
        (2, "Received block blk_<*> of size <*> from /<*>"),
    ]


def test_golden_keeps_shared_punctuation_and_keys() -> None:
    """A generalized token keeps the key and punctuation its instances share."""
    lines = [
        "session opened for user root by (uid=root)",
        "session opened for user alice by (uid=alice)",
        "synchronized to ntp1.example.com, stratum 2",
        "synchronized to time.example.org, stratum 3",
        "pam auth failure rhost=web-1 user=root tty=ssh",
        "pam auth failure rhost= user=root tty=ssh",
    ]
    assert [t for _, t in mine_templates(lines)] == [
        "session opened for user <*> by (uid=<*>)",
        "session opened for user <*> by (uid=<*>)",
        "synchronized to <*>, stratum <*>",
        "synchronized to <*>, stratum <*>",
        "pam auth failure rhost=<*> user=root tty=ssh",
        "pam auth failure rhost=<*> user=root tty=ssh",
    ]


GOLDEN_LINES = [
    "Starting worker pool with 8 threads (queue capacity 1024)",
    "GET /api/v1/orders/8812 200 in 35ms",
    "GET /api/v1/orders/9920 200 in 12ms",
    "POST /api/v1/checkout 502 in 1.5s",
    "db: connection 3f2b1c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f acquired from pool primary",
    "db: connection 0a1b2c3d-1a2b-4c3d-8e9f-3f2b1c4e5d6f acquired from pool replica",
    "TLS handshake with payments.internal:443 failed: certificate has expired",
    "TLS handshake with ledger.internal:8443 failed: certificate has expired",
    "cache hit ratio 0.93 over 60s window",
    "cache hit ratio 0.87 over 60s window",
    "worker 3 exited with code 137 after 2h13m",
    'user "Ada Lovelace" logged in from 2001:db8::1',
    'user "Grace Hopper" logged in from 10.1.2.3',
    "at 2024-03-01T12:00:05Z job nightly-backup finished, wrote 12GB to /mnt/backup/db",
    "at 2024-03-02T12:00:07Z job nightly-backup finished, wrote 13GB to /mnt/backup/db",
]


def test_golden_templates_of_mixed_service_logs(golden: Callable[[str, str], None]) -> None:
    """A mixed service log mines to the templates in tests/golden/analysis/log_templates.txt."""
    rows = mine_templates(GOLDEN_LINES)
    text = "".join(
        f"{line}\n  -> {tid} {template}\n"
        for line, (tid, template) in zip(GOLDEN_LINES, rows, strict=True)
    )
    golden("analysis/log_templates.txt", text)


def test_ids_stay_while_a_template_generalizes() -> None:
    """A template keeps the id it was created with as later lines generalize it."""
    miner = TemplateMiner()
    first = miner.add("login ok for user alice from web")
    second = miner.add("login ok for user bob from web")
    third = miner.add("login ok for user carol from mobile")
    assert first == (1, "login ok for user alice from web")
    assert second == (1, "login ok for user <*> from web")
    assert third == (1, "login ok for user <*> from <*>")
    assert miner.add("disk full on sda") == (2, "disk full on sda")
    assert miner.templates() == {1: "login ok for user <*> from <*>", 2: "disk full on sda"}


def test_snapshot_restore_gives_identical_future_assignments() -> None:
    """A restored miner, fed the same lines, answers exactly as the original does."""
    original = TemplateMiner(MinerConfig(max_children=3))
    for line in SSH_LINES + [f"job {i} step{i % 4} done" for i in range(20)]:
        original.add(line)
    snapshot = json.loads(json.dumps(original.snapshot()))
    restored = TemplateMiner.restore(snapshot, MinerConfig(max_children=3))
    future = SSH_LINES[::-1] + [f"cache {w} evicted" for w in ("a", "b", "c", "d", "e")]
    future += ["Connection reset by 10.1.1.1", "job 99 step7 failed"]
    assert [restored.add(line) for line in future] == [original.add(line) for line in future]
    assert restored.snapshot() == original.snapshot()


SETTLING_LINES = [
    *["Session initialized by client WindowsUpdateAgent"] * 4,
    "Session initialized by client SPP",
    *["Failed password for root from port 22"] * 4,
    "Failed password for admin from port 22",
]


def test_snapshot_keeps_split_templates_and_later_merges_match() -> None:
    """A restored miner keeps splits at settled constants and merges them as the original."""
    config = MinerConfig(settle_after=3)
    original = TemplateMiner(config)
    assert [original.add(line)[0] for line in SETTLING_LINES] == [1] * 4 + [2] + [3] * 4 + [4]
    restored = TemplateMiner.restore(json.loads(json.dumps(original.snapshot())), config)
    future = ["Failed password for guest from port 22", "Session initialized by client SPP"]
    assert [restored.add(line) for line in future] == [original.add(line) for line in future]
    assert restored.add("x") == original.add("x")
    assert restored.snapshot() == original.snapshot()
    assert restored.resolve(4) == 3
    assert restored.templates()[3] == "Failed password for <*> from port <*>"
    assert restored.templates()[2] == "Session initialized by client SPP"


def test_batch_mining_resolves_merged_ids() -> None:
    """`mine_templates` gives lines of a merged-away template the id they ended in."""
    lines = [*SETTLING_LINES, "Failed password for guest from port 22"]
    rows = mine_templates(lines, MinerConfig(settle_after=3))
    assert {tid for tid, _ in rows[5:]} == {3}
    assert rows[4] == (2, "Session initialized by client SPP")
    assert rows[0] == (1, "Session initialized by client WindowsUpdateAgent")


def test_registry_round_trip_and_service_separation() -> None:
    """Services get their own templates and ids, and a registry snapshot keeps them apart."""
    registry = TemplateRegistry()
    assert registry.add("api", "GET /users 200 in 5ms") == (1, "GET /users <*> in <*>")
    assert registry.add("db", "checkpoint complete") == (1, "checkpoint complete")
    assert registry.add("api", "checkpoint complete") == (2, "checkpoint complete")
    restored = TemplateRegistry.restore(json.loads(json.dumps(registry.snapshot())))
    assert restored.services() == ["api", "db"]
    assert restored.add("db", "vacuum started") == registry.add("db", "vacuum started")
    assert restored.miner("api").templates() == registry.miner("api").templates()


def test_memory_is_bounded_with_an_overflow_template() -> None:
    """Past `max_clusters`, lines join a template at their leaf or the overflow template."""
    miner = TemplateMiner(MinerConfig(max_clusters=2))
    assert miner.add("db checkpoint complete") == (1, "db checkpoint complete")
    assert miner.add("task phase alpha started") == (2, "task phase alpha started")
    assert miner.add("task phase beta ended") == (2, "task phase <*> <*>")
    assert miner.add("completely different line") == (OVERFLOW_ID, WILDCARD)
    assert miner.add("x") == (OVERFLOW_ID, WILDCARD)
    assert len(miner.templates()) == 2
    assert miner.overflow_count == 2


def test_restore_rejects_an_unknown_version() -> None:
    """A snapshot of another version is refused with a message naming the versions."""
    with pytest.raises(ValueError, match="version 99 is not supported"):
        TemplateMiner.restore({"version": 99, "clusters": []})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_any_line_gets_a_template_that_matches_it(lines: list[str]) -> None:
    """Any string is accepted, and its template matches it with `<*>` as a wildcard."""
    miner = TemplateMiner()
    for line in lines:
        _, template = miner.add(line)
        assert _matches(template, line)


_TOKENS = ["a", "b=1", "b=", "(x)", "(y)", "x,", "7", "<*>", "k=v", "", "*", "<", "a<*>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_TOKENS), max_size=5).map(" ".join), max_size=12))
def test_final_templates_match_every_line_of_their_cluster(lines: list[str]) -> None:
    """After generalizing, splitting and merging, a template matches every line it has taken."""
    for config in (MinerConfig(), MinerConfig(settle_after=2), MinerConfig(max_clusters=3)):
        miner = TemplateMiner(config)
        ids = [miner.add(line)[0] for line in lines]
        final = miner.templates()
        for template_id, line in zip(ids, lines, strict=True):
            live = miner.resolve(template_id)
            assert _matches(final.get(live, WILDCARD), line)
