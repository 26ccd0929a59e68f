"""The seam between nightcall's SQL and a ClickHouse engine: three methods, two implementations.

`EmbeddedConnection` (chDB, in this process) and `ClickHouseConnection` (a server, over HTTP) run
the same statements; everything above this module speaks SQL text and JSON rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Protocol

Row = dict[str, Any]


class Connection(Protocol):
    """Runs nightcall's SQL on one ClickHouse engine."""

    def execute(self, sql: str) -> None:
        """Run a statement that returns nothing (DDL, ALTER)."""

    def insert(self, table: str, columns: Sequence[str], payload: bytes) -> None:
        """Insert a `JSONCompactColumns` payload (one or more concatenated blocks) into `table`."""

    def select(self, sql: str) -> list[Row]:
        """Run a query and return its rows as dicts."""


def quote_string(value: str) -> str:
    """A ClickHouse string literal for `value`: every byte that could end or bend it is escaped."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'").replace("\0", "\\0")
    return f"'{escaped}'"


def quote_identifier(name: str) -> str:
    """A back-quoted identifier; back quotes inside are doubled away."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def literal(value: str | int | float | bool | None) -> str:
    """A SQL literal for a Python value, so no caller builds SQL from raw input."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no SQL literal")
        return repr(value)
    return quote_string(value)


def literal_list(values: Sequence[str]) -> str:
    """A SQL array literal of strings."""
    return "[" + ", ".join(quote_string(v) for v in values) + "]"
