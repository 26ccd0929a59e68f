"""nightcall's own metric and log records encode into the store's tables and columns."""

from __future__ import annotations

import orjson

from nightcall.ingest.log_records import COLUMNS, LogRecord, Severity, encode_log_records
from nightcall.ingest.metric_points import (
    LAYOUT,
    Gauge,
    Histogram,
    MetricResource,
    Sum,
    Summary,
    encode_metric_points,
)
from nightcall.store.schema import LOGS, TABLES_BY_NAME

RESOURCE = MetricResource(service="svc", attributes={"service.name": "svc"})


def test_layout_names_only_insert_columns_of_the_schema() -> None:
    """Each point type writes exactly the insert columns of its table, in the schema's order."""
    for table, columns in LAYOUT.values():
        assert columns == TABLES_BY_NAME[table].insert_columns
    assert LOGS.insert_columns == COLUMNS


def test_points_encode_one_batch_per_table_and_reject_non_finite_values() -> None:
    """Gauges, sums, histograms and summaries go to their tables; NaN is counted as rejected."""
    points = [
        Gauge(resource=RESOURCE, name="g", time_ns=5, value=1.5),
        Gauge(resource=RESOURCE, name="bad", time_ns=5, value=float("nan")),
        Sum(resource=RESOURCE, name="s", time_ns=5, value=3.0),
        Histogram(resource=RESOURCE, name="h", time_ns=5, count=1, total=2.0, bounds=(1.0,),
                  bucket_counts=(0, 1)),
        Summary(resource=RESOURCE, name="q", time_ns=5, count=1, total=2.0,
                quantiles=((0.5, 2.0),)),
    ]  # fmt: skip
    decoded = encode_metric_points(points)
    assert (decoded.accepted, decoded.rejected) == (4, 1)
    tables = {b.table: b for b in decoded.batches}
    assert set(tables) == {"otel_metrics_gauge", "otel_metrics_sum", "otel_metrics_histogram",
                           "otel_metrics_summary"}  # fmt: skip
    gauge_columns = orjson.loads(tables["otel_metrics_gauge"].payload)
    assert gauge_columns[tables["otel_metrics_gauge"].columns.index("Value")] == [1.5]


def test_log_records_encode_severity_and_body() -> None:
    """A log record keeps its severity text and number, body, service and attributes."""
    record = LogRecord(resource=RESOURCE, time_ns=7, severity=Severity.WARN, body="probe failed",
                       attributes={"error.type": "timeout"})  # fmt: skip
    [batch] = encode_log_records([record]).batches
    row = {name: column[0] for name, column in zip(batch.columns, orjson.loads(batch.payload),
                                                   strict=True)}  # fmt: skip
    assert (row["SeverityText"], row["SeverityNumber"], row["Body"]) == ("WARN", 13, "probe failed")
    assert (row["ServiceName"], row["LogAttributes"]) == ("svc", {"error.type": "timeout"})
