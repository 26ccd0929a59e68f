"""The embedded connection: chDB, the ClickHouse engine inside this process, on one directory.

chDB allows one data directory per process, and a second process cannot open a directory that
is in use, so the server owns it and the CLI opens it only when no server runs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from nightcall.errors import StoreError
from nightcall.store.connection import Row, quote_identifier


class EmbeddedConnection:
    """A chDB session on `data_dir / "chdb"`."""

    def __init__(self, data_dir: Path):
        from chdb import session

        path = data_dir / "chdb"
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._session = session.Session(str(path))
        except Exception as exc:
            raise StoreError(
                f"cannot open the embedded store in {path}: {exc}",
                hint="another nightcall process may own this directory: stop it, talk to it "
                "with --url, or pass another --data-dir",
            ) from None
        # Queries and inserts run concurrently (chDB allows it); DDL and close are serialized.
        self._ddl_lock = threading.Lock()

    def execute(self, sql: str) -> None:
        with self._ddl_lock:
            self._run(sql, "Null")

    def insert(self, table: str, columns: Sequence[str], payload: bytes) -> None:
        names = ", ".join(quote_identifier(c) for c in columns)
        statement = f"INSERT INTO {table} ({names}) FORMAT JSONCompactColumns\n".encode()
        self._run(statement + payload, "Null")

    def select(self, sql: str) -> list[Row]:
        result = self._run(sql, "JSONEachRow")
        data: bytes = result.bytes() if result is not None else b""
        if not data:
            return []
        return [orjson.loads(line) for line in data.splitlines() if line]

    def close(self) -> None:
        with self._ddl_lock:
            self._session.close()

    def _run(self, sql: str | bytes, fmt: str) -> Any:  # chDB's result type is untyped
        try:
            return self._session.query(sql, fmt)
        except Exception as exc:
            text = sql[:300].decode(errors="replace") if isinstance(sql, bytes) else sql[:300]
            raise StoreError(
                f"the embedded store refused a statement: {exc}; statement: {text}"
            ) from None
