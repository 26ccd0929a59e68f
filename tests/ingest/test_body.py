"""Request bodies: `read_limited` refuses oversize bodies, `decompress` undoes each encoding."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Iterable

import pytest

from nightcall.errors import DecodeError, PayloadTooLarge, UnsupportedMediaType
from nightcall.ingest.body import decompress, read_limited

PAYLOAD = b"nightcall " * 500


def _read(chunks: Iterable[bytes], *, declared_length: str | None, max_bytes: int) -> bytes:
    async def stream() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return asyncio.run(read_limited(stream(), declared_length=declared_length, max_bytes=max_bytes))


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def test_read_limited_joins_chunks() -> None:
    """A body under the limit comes back whole, its chunks joined in order."""
    body = _read([b"ab", b"", b"cd", b"e"], declared_length="5", max_bytes=5)
    assert body == b"abcde"


def test_read_limited_refuses_by_content_length() -> None:
    """A Content-Length over the limit is refused before a byte is read, naming the header."""

    def never() -> Iterable[bytes]:
        raise AssertionError("the body was read")
        yield b""  # pragma: no cover

    with pytest.raises(PayloadTooLarge) as caught:
        _read(never(), declared_length="2048", max_bytes=1024)
    assert caught.value.location == "Content-Length"
    assert "2048" in caught.value.message
    assert "1024" in caught.value.message


def test_read_limited_refuses_a_body_that_lies_about_its_length() -> None:
    """A body longer than the limit is refused even when its Content-Length claims less."""
    with pytest.raises(PayloadTooLarge) as caught:
        _read([b"x" * 600, b"x" * 600], declared_length="10", max_bytes=1000)
    assert caught.value.location == "body"


@pytest.mark.parametrize("declared", [None, "", "abc", "-5", "\u00b2"])
def test_read_limited_ignores_unusable_content_length(declared: str | None) -> None:
    """A missing or non-numeric Content-Length is ignored; the bytes read are what count."""
    assert _read([b"abc"], declared_length=declared, max_bytes=3) == b"abc"


@pytest.mark.parametrize("encoding", [None, "", "identity", " Identity "])
def test_decompress_identity_returns_the_body(encoding: str | None) -> None:
    """No encoding, or identity, leaves the body as it is."""
    assert decompress(PAYLOAD, encoding, max_bytes=10) == PAYLOAD


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("GZIP", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", _raw_deflate),
    ],
    ids=["gzip", "gzip-uppercase", "deflate-zlib", "deflate-raw"],
)
def test_decompress_undoes_each_encoding(encoding: str, compress: object) -> None:
    """gzip, zlib-wrapped deflate and raw deflate all inflate back to the original bytes."""
    assert callable(compress)
    body = compress(PAYLOAD)
    assert decompress(body, encoding, max_bytes=len(PAYLOAD)) == PAYLOAD


def test_decompress_accepts_exactly_the_limit() -> None:
    """Output of exactly `max_bytes` passes; one byte less of limit refuses it."""
    body = gzip.compress(PAYLOAD)
    assert decompress(body, "gzip", max_bytes=len(PAYLOAD)) == PAYLOAD
    with pytest.raises(PayloadTooLarge) as caught:
        decompress(body, "gzip", max_bytes=len(PAYLOAD) - 1)
    assert caught.value.location == "gzip-decompressed body"


def test_decompress_stops_a_bomb() -> None:
    """A small gzip body that inflates far past the limit is refused as too large."""
    bomb = gzip.compress(bytes(50_000_000), compresslevel=9)
    assert len(bomb) < 100_000
    with pytest.raises(PayloadTooLarge):
        decompress(bomb, "gzip", max_bytes=1_000_000)


@pytest.mark.parametrize("encoding", ["br", "zstd", "gzip, deflate", "compress"])
def test_decompress_refuses_unknown_encodings(encoding: str) -> None:
    """An encoding other than gzip, deflate or identity is 415, naming the header."""
    with pytest.raises(UnsupportedMediaType) as caught:
        decompress(PAYLOAD, encoding, max_bytes=len(PAYLOAD))
    assert caught.value.location == "Content-Encoding"
    assert repr(encoding) in caught.value.message


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_decompress_refuses_garbage(encoding: str) -> None:
    """Bytes that are not compressed data are a DecodeError located at the body."""
    with pytest.raises(DecodeError) as caught:
        decompress(b"\x78this is not compressed", encoding, max_bytes=1000)
    assert caught.value.location == "body"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", _raw_deflate)],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_decompress_refuses_truncated_streams(encoding: str, compress: object) -> None:
    """A compressed stream cut short is a DecodeError saying it is truncated."""
    assert callable(compress)
    body = compress(PAYLOAD)
    with pytest.raises(DecodeError, match="truncated"):
        decompress(body[: len(body) // 2], encoding, max_bytes=len(PAYLOAD))


def test_decompress_empty_gzip_body_is_truncated() -> None:
    """An empty body labelled gzip is a DecodeError, not an empty payload."""
    with pytest.raises(DecodeError):
        decompress(b"", "gzip", max_bytes=1000)
