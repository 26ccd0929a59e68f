"""Schema DDL: cluster layout, retention TTLs, idempotence, and the decoders' column lists."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from nightcall.config import Settings
from nightcall.ingest.otlp.flatten_logs import COLUMNS as LOG_COLUMNS
from nightcall.ingest.otlp.flatten_logs import TABLE as LOG_TABLE
from nightcall.ingest.otlp.flatten_metrics import TABLES as METRIC_FLATTEN_TABLES
from nightcall.ingest.otlp.flatten_traces import COLUMNS as TRACE_COLUMNS
from nightcall.ingest.otlp.flatten_traces import TABLE as TRACE_TABLE
from nightcall.store.schema import (
    LOGS,
    TABLES,
    TABLES_BY_NAME,
    TRACE_ID_TABLE,
    TRACES,
    retention_ddl,
    schema_ddl,
)
from nightcall.store.store import Store, open_store

ALL_TABLE_NAMES = sorted([t.name for t in TABLES] + [TRACE_ID_TABLE])
EXPIRING = [t for t in TABLES if not t.is_state]


def show_create(store: Store, table: str) -> str:
    """The engine's own CREATE statement for one of nightcall's tables."""
    (row,) = store.select(f"SHOW CREATE TABLE {store.table(table)}")
    return str(row["statement"])


def test_cluster_ddl_creates_local_tables_on_cluster_under_distributed_ones() -> None:
    """With a cluster, every statement runs ON CLUSTER; each table is Distributed over a local."""
    statements = schema_ddl(database="nc", retention_days=7, cluster="prod")
    assert all(" ON CLUSTER `prod`" in s for s in statements)
    for table in TABLES:
        assert any(
            s.startswith(f"CREATE TABLE IF NOT EXISTS `nc`.`{table.name}_local` ON CLUSTER")
            and f"ENGINE = {table.engine}" in s
            for s in statements
        ), table.name
        assert (
            f"CREATE TABLE IF NOT EXISTS `nc`.`{table.name}` ON CLUSTER `prod`"
            f" AS `nc`.`{table.name}_local`"
            f" ENGINE = Distributed(`prod`, `nc`, `{table.name}_local`, rand())"
        ) in statements
    (view,) = [s for s in statements if "MATERIALIZED VIEW" in s]
    assert f"FROM `nc`.`{TRACES.name}_local`" in view


def test_cluster_retention_alters_the_local_tables() -> None:
    """Retention ALTERs on a cluster target the local tables, ON CLUSTER."""
    statements = retention_ddl(database="nc", retention_days=3, cluster="prod")
    assert statements[0] == (
        "ALTER TABLE `nc`.`otel_traces_local` ON CLUSTER `prod` MODIFY TTL"
        " toDateTime(Timestamp) + toIntervalDay(3)"
    )
    assert len(statements) == len(EXPIRING) + 1


def test_single_node_ddl_has_no_cluster_clause() -> None:
    """Without a cluster there is no ON CLUSTER, no Distributed table and no _local suffix."""
    statements = schema_ddl(database="nc", retention_days=7)
    assert not any("ON CLUSTER" in s or "Distributed" in s or "_local" in s for s in statements)


def test_retention_zero_has_no_ttl() -> None:
    """retention_days=0 creates tables without a TTL and its ALTERs remove any TTL."""
    assert not any("TTL" in s for s in schema_ddl(database="nc", retention_days=0))
    statements = retention_ddl(database="nc", retention_days=0)
    assert statements[0] == "ALTER TABLE `nc`.`otel_traces` REMOVE TTL"
    assert all(s.endswith(" REMOVE TTL") for s in statements)


def test_retention_days_become_a_ttl_on_every_table() -> None:
    """A positive retention puts a TTL on every table's time column, the trace-id table too."""
    statements = schema_ddl(database="nc", retention_days=9)
    creates = [s for s in statements if s.startswith("CREATE TABLE")]
    assert len(creates) == len(TABLES) + 1
    for table in TABLES:
        (create,) = [s for s in creates if f"`nc`.`{table.name}` (" in s]
        ttl = f"TTL toDateTime({table.time_column}) + toIntervalDay(9)"
        assert (ttl in create) != table.is_state  # nightcall's own state never expires
    (trace_ids,) = [s for s in creates if TRACE_ID_TABLE in s]
    assert "TTL toDateTime(Start) + toIntervalDay(9)" in trace_ids


def test_create_schema_is_idempotent(store: Store) -> None:
    """Creating the schema again over an existing one changes nothing and raises nothing."""
    before = {name: show_create(store, name) for name in ALL_TABLE_NAMES}
    store.create_schema(retention_days=0)
    store.create_schema(retention_days=0)
    assert {name: show_create(store, name) for name in ALL_TABLE_NAMES} == before
    tables = store.select(
        "SELECT name FROM system.tables WHERE database = 'nightcall' ORDER BY name"
    )
    assert [r["name"] for r in tables] == sorted([*ALL_TABLE_NAMES, f"{TRACE_ID_TABLE}_mv"])


def test_reopening_with_another_retention_alters_the_ttl(
    make_settings: Callable[..., Settings],
) -> None:
    """Reopening with a new retention_days brings every TTL to it; 0 removes the TTLs."""
    first = open_store(make_settings(retention_days=0))
    try:
        assert "TTL" not in show_create(first, TRACES.name)
    finally:
        first.close()
    second = open_store(make_settings(retention_days=7))
    try:
        for table in EXPIRING:
            expected = f"TTL toDateTime({table.time_column}) + toIntervalDay(7)"
            assert expected in show_create(second, table.name), table.name
        assert "TTL toDateTime(Start) + toIntervalDay(7)" in show_create(second, TRACE_ID_TABLE)
    finally:
        second.close()
    third = open_store(make_settings(retention_days=14))
    try:
        assert "toIntervalDay(14)" in show_create(third, LOGS.name)
        assert "toIntervalDay(7)" not in show_create(third, LOGS.name)
    finally:
        third.close()
    fourth = open_store(make_settings(retention_days=0))
    try:
        assert not any("TTL" in show_create(fourth, name) for name in ALL_TABLE_NAMES)
    finally:
        fourth.close()


def test_trace_flattener_columns_match_the_schema() -> None:
    """The trace flattener fills exactly otel_traces' insert columns, in order."""
    assert TRACES.name == TRACE_TABLE
    assert TRACES.insert_columns == TRACE_COLUMNS


def test_log_flattener_columns_match_the_schema() -> None:
    """The log flattener fills exactly otel_logs' insert columns, in order."""
    assert LOGS.name == LOG_TABLE
    assert LOGS.insert_columns == LOG_COLUMNS


@pytest.mark.parametrize("kind", sorted(METRIC_FLATTEN_TABLES))
def test_metric_flattener_columns_match_the_schema(kind: str) -> None:
    """Each metric kind's flattener columns are its table's insert columns, in order."""
    table, columns = METRIC_FLATTEN_TABLES[kind]
    assert columns == TABLES_BY_NAME[table].insert_columns


def test_every_metric_table_has_a_flattener() -> None:
    """Every metric table of the schema is filled by some flattener kind."""
    flattened = {table for table, _ in METRIC_FLATTEN_TABLES.values()}
    assert flattened == {t.name for t in TABLES if t.name.startswith("otel_metrics_")}


def test_reopening_adds_columns_a_newer_version_declares(
    make_settings: Callable[..., Settings],
) -> None:
    """A table created without a column gets it on the next open, keeping its rows."""
    settings = make_settings()
    store = open_store(settings)
    table = store.table("otel_logs")
    store.connection.execute(f"ALTER TABLE {table} DROP COLUMN EventName")
    store.close()
    reopened = open_store(settings)
    try:
        names = {
            row["name"]
            for row in reopened.select(
                "SELECT name FROM system.columns WHERE database = 'nightcall'"
                " AND table = 'otel_logs'"
            )
        }
        assert "EventName" in names
    finally:
        reopened.close()
