"""Template queries over the real store: window listings, merged ids, per-step counts."""

from __future__ import annotations

import orjson
import pytest

from nightcall.analysis.logs import find_new_templates, find_template_spikes
from nightcall.analysis.logs.templater import LogTemplater
from nightcall.model import EncodedBatch
from nightcall.store.queries_log_templates import (
    format_template_id,
    list_log_templates,
    load_templates,
    template_counts,
)
from nightcall.store.queries_logs import search_logs
from nightcall.store.queries_traces import Window
from nightcall.store.store import Store
from tests.store.telemetry import SECOND_NS, log_batches, make_log

T0 = 1_767_225_600 * SECOND_NS  # 2026-01-01T00:00:00Z
MINUTE_NS = 60 * SECOND_NS
WINDOW = Window(start_ns=T0 + 10 * MINUTE_NS, end_ns=T0 + 20 * MINUTE_NS)
ROOT = "session opened for user root"


class Loader:
    """Mines log lines with a real templater and stores them with their template rows."""

    def __init__(self, store: Store):
        self.store = store
        self.templater = LogTemplater(generation="0" * 16)

    def add(self, lines: list[tuple[int, str, str]], *, service: str = "auth") -> list[int]:
        """Store (time, severity, body) lines; return their template ids."""
        records = [
            make_log(time_ns=t, body=body, severity_text=severity, severity_number=9)
            for t, severity, body in lines
        ]
        (batch,) = log_batches({service: records})
        mined = self.templater.template_batch(batch)
        rows = self.templater.template_rows(now_ns=max(t for t, _, _ in lines), include_counts=True)
        self.store.insert_batches([mined, *([rows] if rows else [])])
        return _ids(mined)


def _ids(batch: EncodedBatch) -> list[int]:
    return [int(i) for i in orjson.loads(batch.payload)[-1]]


@pytest.fixture
def loader(store: Store) -> Loader:
    """A loader over the real embedded store."""
    return Loader(store)


def at(minute: float) -> int:
    """T0 plus `minute` minutes, in ns."""
    return T0 + int(minute * MINUTE_NS)


def test_templates_of_a_window_most_lines_first(loader: Loader, store: Store) -> None:
    """Counts are the window's lines; an old template is not new, one born inside the window is."""
    old = loader.add([(at(1), "INFO", "user 1 logged in")])[0]
    loader.add([(at(11 + i / 10), "INFO", f"user {i} logged in") for i in range(5)])
    new = loader.add([(at(12), "ERROR", "disk full on /dev/sda1"),
                      (at(13), "WARN", "disk full on /dev/sdb1"),
                      (at(14), "ERROR", "disk full on /dev/sdc1")])[0]  # fmt: skip
    loader.add([(at(25), "INFO", "after the window")])
    found = list_log_templates(store, WINDOW)
    assert found == [
        {
            "service": "auth", "template_id": format_template_id(old),
            "template": "user <*> logged in", "count": 5,
            "first_seen": "2026-01-01T00:01:00.000000000Z", "first_seen_unix_nano": at(1),
            "last_seen": "2026-01-01T00:11:24.000000000Z", "last_seen_unix_nano": at(11.4),
            "is_new": False, "severity": "INFO",
        },
        {
            "service": "auth", "template_id": format_template_id(new),
            "template": "disk full on <*>", "count": 3,
            "first_seen": "2026-01-01T00:12:00.000000000Z", "first_seen_unix_nano": at(12),
            "last_seen": "2026-01-01T00:14:00.000000000Z", "last_seen_unix_nano": at(14),
            "is_new": True, "severity": "ERROR",
        },
    ]  # fmt: skip
    assert [t["count"] for t in list_log_templates(store, WINDOW, limit=1)] == [5]


def test_service_filter_and_unmined_rows(loader: Loader, store: Store) -> None:
    """A service filter keeps that service's templates; rows stored without mining are left out."""
    loader.add([(at(11), "INFO", "cache warm")], service="cart")
    loader.add([(at(11), "INFO", "cache warm")], service="auth")
    (plain,) = log_batches({"cart": [make_log(time_ns=at(12), body="unmined line")]})
    store.insert_batches([plain])
    assert [t["service"] for t in list_log_templates(store, WINDOW, service="cart")] == ["cart"]
    assert sorted(t["service"] for t in list_log_templates(store, WINDOW)) == ["auth", "cart"]


def test_a_merged_template_counts_for_the_one_it_merged_into(loader: Loader, store: Store) -> None:
    """Lines stored with a child id that later rejoined its parent count and read as the parent."""
    parent = loader.add([(at(11), "INFO", ROOT)] * 10)[0]
    (child,) = loader.add([(at(12), "INFO", "session opened for user admin")])
    assert child != parent
    loader.add([(at(13), "INFO", "session opened for user guest")])
    (entry,) = list_log_templates(store, WINDOW)
    assert (entry["template_id"], entry["count"]) == (format_template_id(parent), 12)
    assert entry["template"] == "session opened for user <*>"
    catalog = load_templates(store, [child])
    live = catalog.live(child)
    assert live is not None
    assert live.template_id == parent
    logs, _ = search_logs(store, WINDOW, limit=100)
    assert {(log["template_id"], log["template"]) for log in logs} == {
        (format_template_id(parent), "session opened for user <*>")
    }


def test_template_counts_feed_the_change_finders(loader: Loader, store: Store) -> None:
    """Per-minute counts give the baseline and incident mappings changes.py reads."""
    steady = loader.add([(at(10 + m + 0.5), "INFO", f"GET /cart {m}") for m in range(10)])[0]
    loader.add([(at(18 + i / 100), "INFO", f"GET /cart {i}") for i in range(40)])
    burst = loader.add([(at(18.5), "ERROR", "pool exhausted after 30 s")])[0]
    counts = template_counts(store, WINDOW, service="auth", step_s=60)
    assert counts.buckets == 10
    (steady_series,) = [s for s in counts.series if s.template_id == steady]
    assert steady_series.counts == (1, 1, 1, 1, 1, 1, 1, 1, 41, 1)
    assert steady_series.template == "GET /cart <*>"
    baseline = counts.counts_between(WINDOW.start_ns, at(18))
    incident = counts.counts_between(at(18), at(20))
    assert baseline == {steady: 8}
    assert incident == {steady: 42, burst: 1}
    first_seen = counts.first_seen()
    (new,) = find_new_templates(baseline, incident, window_s=120, first_seen_unix_nano=first_seen)
    assert (new.template_id, new.first_seen_unix_nano) == (burst, at(18.5))
    (spike,) = find_template_spikes(baseline, incident, baseline_s=480, window_s=120)
    assert spike.template_id == steady
    assert counts.templates()[burst] == "pool exhausted after <*> s"
