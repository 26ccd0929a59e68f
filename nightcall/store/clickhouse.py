"""The scale-out connection: a ClickHouse server or cluster through `clickhouse-connect`.

It runs exactly the SQL the embedded store runs. `clickhouse://user:pass@host:8123/db?cluster=c`
selects it; with `cluster`, the schema is created ON CLUSTER with Distributed tables on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

from nightcall.errors import ConfigError, StoreError
from nightcall.store.connection import Row, quote_identifier


@dataclass(frozen=True, slots=True, kw_only=True)
class ClickHouseTarget:
    """Where a ClickHouse server is, parsed from a `clickhouse://` URL."""

    host: str
    port: int
    username: str
    password: str
    database: str
    cluster: str
    secure: bool


def parse_clickhouse_url(url: str) -> ClickHouseTarget:
    """Read `clickhouse://` (HTTP) or `clickhouses://` (HTTPS) URLs."""
    parts = urlsplit(url)
    if parts.scheme not in {"clickhouse", "clickhouses"} or not parts.hostname:
        raise ConfigError(
            f"cannot read the store URL {url!r}",
            location="store",
            hint="use clickhouse://user:password@host:8123/database[?cluster=NAME]",
        )
    query = parse_qs(parts.query)
    secure = parts.scheme == "clickhouses"
    return ClickHouseTarget(
        host=parts.hostname,
        port=parts.port or (8443 if secure else 8123),
        username=unquote(parts.username or "default"),
        password=unquote(parts.password or ""),
        database=parts.path.strip("/") or "nightcall",
        cluster=query.get("cluster", [""])[0],
        secure=secure,
    )


class ClickHouseConnection:
    """A `clickhouse-connect` client that speaks the same SQL as the embedded store."""

    def __init__(self, target: ClickHouseTarget):
        import clickhouse_connect

        self.target = target
        try:
            self._client = clickhouse_connect.get_client(
                host=target.host,
                port=target.port,
                username=target.username,
                password=target.password,
                secure=target.secure,
                autogenerate_session_id=False,
            )
        except Exception as exc:
            raise StoreError(
                f"cannot reach ClickHouse at {target.host}:{target.port}: {exc}",
                hint="check the store URL, the server, and the credentials",
            ) from None

    def execute(self, sql: str) -> None:
        try:
            self._client.command(sql)
        except Exception as exc:
            raise StoreError(
                f"ClickHouse refused a statement: {exc}; statement: {sql[:300]}"
            ) from None

    def insert(self, table: str, columns: Sequence[str], payload: bytes) -> None:
        names = ", ".join(quote_identifier(c) for c in columns)
        try:
            self._client.command(
                f"INSERT INTO {table} ({names}) FORMAT JSONCompactColumns", data=payload
            )
        except Exception as exc:
            raise StoreError(f"ClickHouse refused an insert into {table}: {exc}") from None

    def select(self, sql: str) -> list[Row]:
        try:
            data = self._client.raw_query(sql, fmt="JSONEachRow")
        except Exception as exc:
            raise StoreError(f"ClickHouse refused a query: {exc}; query: {sql[:300]}") from None
        return [orjson.loads(line) for line in data.splitlines() if line]

    def close(self) -> None:
        self._client.close()
