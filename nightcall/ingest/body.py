"""Request bodies: read under a size limit, and decompress without letting a bomb through."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

from nightcall.errors import DecodeError, PayloadTooLarge, UnsupportedMediaType

ENCODINGS = ("gzip", "deflate", "identity")


async def read_limited(
    chunks: AsyncIterator[bytes], *, declared_length: str | None, max_bytes: int
) -> bytes:
    """Collect a body, refusing it as soon as it (or its Content-Length) passes `max_bytes`."""
    if (
        declared_length is not None
        and declared_length.isascii()  # '²'.isdigit() is True, but int('²') fails
        and declared_length.isdigit()
        and int(declared_length) > max_bytes
    ):
        raise _too_large(int(declared_length), max_bytes, "Content-Length")
    parts = []
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(size, max_bytes, "body")
        parts.append(chunk)
    return b"".join(parts)


def decompress(body: bytes, encoding: str | None, *, max_bytes: int) -> bytes:
    """Undo `Content-Encoding` (gzip, deflate or none), stopping at `max_bytes` of output.

    A gzip body may hold several members one after another (RFC 1952); their contents are
    concatenated, as gunzip does, rather than everything after the first being dropped.
    """
    name = (encoding or "identity").strip().lower()
    if name in ("", "identity"):
        return body
    if name == "gzip":
        wbits = 16 + zlib.MAX_WBITS
    elif name == "deflate":
        wbits = zlib.MAX_WBITS if _is_zlib_header(body) else -zlib.MAX_WBITS  # zlib or raw
    else:
        raise UnsupportedMediaType(
            f"Content-Encoding {encoding!r} is not supported",
            location="Content-Encoding",
            hint="send gzip, deflate or an uncompressed body",
        )
    parts: list[bytes] = []
    size = 0
    rest = body
    while True:
        inflater = zlib.decompressobj(wbits)
        try:
            data = inflater.decompress(rest, max_bytes - size + 1)
        except zlib.error as exc:
            raise DecodeError(
                f"the body is not valid {name} data ({exc})",
                location="body",
                hint=f"compress the body with {name}, or drop the Content-Encoding header",
            ) from None
        size += len(data)
        if size > max_bytes:
            raise _too_large(size, max_bytes, f"{name}-decompressed body")
        if not inflater.eof:
            raise DecodeError(
                f"the {name} stream ends early: the body is truncated",
                location="body",
                hint="send the whole compressed body; check for a proxy that cuts requests",
            )
        parts.append(data)
        rest = inflater.unused_data.lstrip(b"\x00")  # gzip writers may pad with zeros
        if name != "gzip" or not rest:
            return b"".join(parts)


def _is_zlib_header(body: bytes) -> bool:
    """Whether `body` starts with a zlib header (RFC 1950: method 8, a checksum of 31)."""
    return len(body) >= 2 and body[0] & 0x0F == 8 and (body[0] << 8 | body[1]) % 31 == 0


def _too_large(size: int, limit: int, what: str) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the {what} is {size} bytes or more, over the {limit}-byte limit",
        location=what,
        hint="send smaller batches (the OTel SDK's max_export_batch_size), or raise max_body_bytes",
    )
