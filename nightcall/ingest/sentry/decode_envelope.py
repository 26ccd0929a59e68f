"""Sentry envelope framing, and the older `store` body, as bytes → items.

An envelope is a JSON header line, then items: each a JSON header line (with `type` and an
optional `length`) and a payload of `length` bytes, or up to the next newline when no length is
given. See https://develop.sentry.dev/sdk/data-model/envelopes/.

A broken envelope header means nothing can be trusted: that is a `DecodeError` (400). A broken
item header or a length past the end means the rest cannot be framed: the items read so far are
kept and the remainder is counted as one malformed item. Payloads are not looked at here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

from nightcall.errors import DecodeError

ENVELOPE_HELP = "https://develop.sentry.dev/sdk/data-model/envelopes/"


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvelopeItem:
    """One item: its type (`event`, `transaction`, `session`, ...), header and raw payload."""

    type: str
    headers: dict[str, Any]
    payload: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Envelope:
    """The envelope header, the items that could be framed, and what could not be (0 or 1)."""

    headers: dict[str, Any]
    items: tuple[EnvelopeItem, ...]
    malformed: int = 0
    malformed_reason: str = ""

    @property
    def dsn_key(self) -> str | None:
        """The public key of the header's `dsn` (browser SDKs and tunnels send it there)."""
        dsn = self.headers.get("dsn")
        if not isinstance(dsn, str):
            return None
        try:
            return urlsplit(dsn).username or None
        except ValueError:
            return None


def _json_object(line: bytes) -> dict[str, Any] | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _line_end(body: bytes, start: int) -> int:
    end = body.find(b"\n", start)
    return len(body) if end == -1 else end


def decode_envelope(body: bytes) -> Envelope:
    """Frame an envelope body into items; raises `DecodeError` when it is not an envelope."""
    end = _line_end(body, 0)
    headers = _json_object(body[:end])
    if headers is None:
        raise DecodeError(
            f"the envelope header (line 1: {body[:60]!r}) is not a JSON object",
            location="body",
            hint=f"send a Sentry envelope: a JSON header line, then items ({ENVELOPE_HELP})",
        )
    items: list[EnvelopeItem] = []
    position = end + 1
    line_number = 2
    while position < len(body):
        end = _line_end(body, position)
        raw_header = body[position:end]
        if not raw_header.strip():  # blank separator lines and the trailing newline
            position, line_number = end + 1, line_number + 1
            continue
        header = _json_object(raw_header)
        item_type = header.get("type") if header else None
        if header is None or not isinstance(item_type, str):
            reason = (
                f"the item header on line {line_number} is not a JSON object with a string "
                f"'type' ({raw_header[:60]!r})"
            )
            return _cut(headers, items, reason)
        position = end + 1
        length = header.get("length")
        if length is None:
            end = _line_end(body, position)
            payload, next_position = body[position:end], end + 1
        elif isinstance(length, int) and not isinstance(length, bool) and length >= 0:
            if position + length > len(body):
                reason = (
                    f"the {item_type} item on line {line_number} declares {length} bytes but "
                    f"{len(body) - position} remain"
                )
                return _cut(headers, items, reason)
            payload, next_position = body[position : position + length], position + length
            if body[next_position : next_position + 1] == b"\n":
                next_position += 1
        else:
            reason = f"the {item_type} item on line {line_number} has length {length!r}, not a size"
            return _cut(headers, items, reason)
        items.append(EnvelopeItem(type=item_type, headers=header, payload=payload))
        line_number += 1 + payload.count(b"\n") + 1
        position = next_position
    return Envelope(headers=headers, items=tuple(items))


def _cut(headers: dict[str, Any], items: list[EnvelopeItem], reason: str) -> Envelope:
    """The envelope up to a framing error; with nothing before it, the whole body is refused."""
    if not items:
        raise DecodeError(
            reason,
            location="body",
            hint=f"each item is a JSON header line, then its payload ({ENVELOPE_HELP})",
        )
    return Envelope(headers=headers, items=tuple(items), malformed=1, malformed_reason=reason)
