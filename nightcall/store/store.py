"""`Store`: nightcall's tables on one connection, with the schema made and kept current."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from nightcall.config import Settings
from nightcall.errors import StoreError
from nightcall.model import EncodedBatch
from nightcall.store.clickhouse import ClickHouseConnection, parse_clickhouse_url
from nightcall.store.connection import Connection, Row, quote_string
from nightcall.store.embedded import EmbeddedConnection
from nightcall.store.schema import TABLES_BY_NAME, add_column_ddl, retention_ddl, schema_ddl


class ClosableConnection(Connection, Protocol):
    def close(self) -> None:
        """Release the engine."""


class Store:
    """Writes encoded batches and runs queries against nightcall's database."""

    def __init__(self, connection: ClosableConnection, *, database: str, cluster: str = ""):
        self.connection = connection
        self.database = database
        self.cluster = cluster
        self._closed = False

    def create_schema(self, *, retention_days: int) -> None:
        """Create every table (idempotent) and bring their TTL to `retention_days`."""
        for statement in schema_ddl(
            database=self.database, retention_days=retention_days, cluster=self.cluster
        ):
            self.connection.execute(statement)
        self._add_missing_columns()
        for statement in retention_ddl(
            database=self.database, retention_days=retention_days, cluster=self.cluster
        ):
            try:
                self.connection.execute(statement)
            except StoreError as exc:
                if "TTL" not in str(exc):  # REMOVE TTL on a table that has none is fine
                    raise

    def _add_missing_columns(self) -> None:
        """Bring tables made by an older nightcall up to the columns this one declares."""
        existing = {
            (str(row["table"]), str(row["name"]))
            for row in self.select(
                "SELECT table, name FROM system.columns"
                f" WHERE database = {quote_string(self.database)}"
            )
        }
        for spec in TABLES_BY_NAME.values():
            for column in spec.columns:
                if (spec.name, column.name) not in existing:
                    for statement in add_column_ddl(
                        spec, column, database=self.database, cluster=self.cluster
                    ):
                        self.connection.execute(statement)

    def table(self, name: str) -> str:
        """The qualified name of one of nightcall's tables."""
        return f"`{self.database}`.`{name}`"

    def insert_batches(self, batches: Sequence[EncodedBatch]) -> None:
        """Insert batches, one statement per table and column list, their blocks joined."""
        by_target: dict[tuple[str, tuple[str, ...]], list[bytes]] = defaultdict(list)
        for batch in batches:
            if batch.table not in TABLES_BY_NAME:
                raise StoreError(
                    f"a batch names the table {batch.table!r}, which nightcall does not have",
                    hint="valid tables: " + ", ".join(sorted(TABLES_BY_NAME)),
                )
            by_target[batch.table, batch.columns].append(batch.payload)
        for (table, columns), payloads in by_target.items():
            self.connection.insert(self.table(table), columns, b"\n".join(payloads))

    def select(self, sql: str) -> list[Row]:
        return self.connection.select(sql)

    def row_counts(self) -> dict[str, int]:
        """Rows per table, from the engine's part metadata (cheap: no table scan)."""
        rows = self.select(
            "SELECT table, sum(rows) AS n FROM system.parts"
            f" WHERE database = {quote_string(self.database)} AND active GROUP BY table"
        )
        return {str(r["table"]): int(r["n"]) for r in rows}

    def close(self) -> None:
        """Release the engine; closing twice is harmless."""
        if not self._closed:
            self._closed = True
            self.connection.close()


def open_store(settings: Settings) -> Store:
    """The store `settings.store` names: embedded in `data_dir` by default, else ClickHouse."""
    if settings.store and not settings.store.startswith("chdb"):
        target = parse_clickhouse_url(settings.store)
        store = Store(
            ClickHouseConnection(target), database=target.database, cluster=target.cluster
        )
    else:
        store = Store(EmbeddedConnection(Path(settings.data_dir)), database=settings.database)
    try:
        store.create_schema(retention_days=settings.retention_days)
    except BaseException:
        store.close()  # an engine left open would keep the data directory from opening again
        raise
    return store
