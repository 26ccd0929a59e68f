"""Regression tests for the two `decompress` fixes (multi-member gzip, small-window zlib).

Meant to be merged into tests/ingest/test_body.py; nothing in the tree tests these yet.
"""

from __future__ import annotations

import gzip
import zlib

import pytest

from nightcall.errors import DecodeError, PayloadTooLarge
from nightcall.ingest.body import decompress

PAYLOAD = b"OTLP payload " * 200


def _zlib_with_window(data: bytes, wbits: int) -> bytes:
    compressor = zlib.compressobj(wbits=wbits)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize("wbits", [9, 10, 12, 14, 15])
def test_deflate_accepts_zlib_with_any_window_size(wbits: int) -> None:
    """Deflate is read as RFC 1950 zlib whatever its window size, not only the 0x78 header."""
    assert decompress(_zlib_with_window(PAYLOAD, wbits), "deflate", max_bytes=10_000) == PAYLOAD


def test_gzip_with_several_members_keeps_them_all() -> None:
    """A gzip body of several members (RFC 1952) decompresses to all of them, as gunzip does."""
    body = gzip.compress(b"first,") + gzip.compress(b"second,") + gzip.compress(b"third")
    assert decompress(body, "gzip", max_bytes=10_000) == b"first,second,third"
    assert gzip.decompress(body) == b"first,second,third"


def test_gzip_zero_padding_after_the_stream_is_ignored() -> None:
    """Zero bytes after the last gzip member are padding, not data."""
    assert decompress(gzip.compress(PAYLOAD) + bytes(16), "gzip", max_bytes=10_000) == PAYLOAD


def test_gzip_garbage_after_a_member_is_refused() -> None:
    """Bytes after a gzip member that are not another member are a decode error, not dropped."""
    with pytest.raises(DecodeError) as caught:
        decompress(gzip.compress(PAYLOAD) + b"trailing junk", "gzip", max_bytes=10_000)
    assert caught.value.location == "body"
    assert caught.value.message.startswith("the body is not valid gzip data (")


def test_a_bomb_split_over_members_is_stopped_at_the_limit() -> None:
    """The limit covers the members of a gzip body together, not each one alone."""
    body = gzip.compress(bytes(3000)) * 3
    with pytest.raises(PayloadTooLarge) as caught:
        decompress(body, "gzip", max_bytes=8000)
    assert caught.value.location == "gzip-decompressed body"
    assert decompress(body, "gzip", max_bytes=9000) == bytes(9000)
