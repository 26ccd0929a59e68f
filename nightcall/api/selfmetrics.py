"""nightcall's own Prometheus metrics, on a registry of its own (no process-global state)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from nightcall.model import ItemCounters
from nightcall.store.pipeline import IngestPipeline


class NightcallCollector(Collector):
    """Reads the counters and the pipeline's state at scrape time."""

    def __init__(
        self,
        counters: ItemCounters,
        pipeline: IngestPipeline,
        store_rows: Callable[[], dict[str, int]],
    ):
        self.counters = counters
        self.pipeline = pipeline
        self.store_rows = store_rows

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        accepted, dropped = self.counters.snapshot()
        family = CounterMetricFamily(
            "nightcall_items_accepted", "Items acknowledged to senders.", labels=["signal"]
        )
        for signal, quantity in sorted(accepted.items()):
            family.add_metric([signal], quantity)
        yield family
        family = CounterMetricFamily(
            "nightcall_items_dropped",
            "Items or requests refused, by reason.",
            labels=["signal", "reason"],
        )
        for (signal, reason), quantity in sorted(dropped.items()):
            family.add_metric([signal, reason], quantity)
        yield family
        stats = self.pipeline.stats
        yield GaugeMetricFamily(
            "nightcall_wal_pending_bytes",
            "Acknowledged bytes not yet in the store.",
            value=stats.pending_bytes,
        )
        yield GaugeMetricFamily(
            "nightcall_writer_lag_seconds",
            "Age of the oldest acknowledged batch not yet in the store.",
            value=self.pipeline.writer_lag_s(),
        )
        inserted = CounterMetricFamily(
            "nightcall_rows_inserted", "Rows the writer inserted, by table.", labels=["table"]
        )
        for table, rows in sorted(stats.rows_inserted.items()):
            inserted.add_metric([table], rows)
        yield inserted
        yield CounterMetricFamily(
            "nightcall_insert_failures", "Failed insert attempts.", value=stats.insert_failures
        )
        yield CounterMetricFamily(
            "nightcall_batches_quarantined",
            "Batches the store refused even alone, kept under wal/quarantine.",
            value=stats.batches_quarantined,
        )
        rows_family = GaugeMetricFamily(
            "nightcall_store_rows", "Rows stored, by table.", labels=["table"]
        )
        for table, rows in sorted(self.store_rows().items()):
            rows_family.add_metric([table], rows)
        yield rows_family


def render_metrics(collector: NightcallCollector) -> bytes:
    """The Prometheus text exposition of one collector."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    return generate_latest(registry)
