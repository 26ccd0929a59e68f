"""Envelope framing: items with and without a length, damaged items, and refused bodies."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nightcall.errors import DecodeError
from nightcall.ingest.sentry import decode_envelope


def test_items_with_and_without_length() -> None:
    """A length-framed payload may hold newlines; an unframed one runs to the line's end."""
    body = (
        b'{"event_id":"abc","dsn":"https://pub123@example.com/4"}\n'
        b'{"type":"attachment","length":7}\nline1\nx\n'
        b'{"type":"event"}\n{"message":"hi"}\n'
    )
    envelope = decode_envelope(body)
    assert [(i.type, i.payload) for i in envelope.items] == [
        ("attachment", b"line1\nx"),
        ("event", b'{"message":"hi"}'),
    ]
    assert envelope.dsn_key == "pub123"
    assert envelope.malformed == 0


def test_damaged_item_header_keeps_the_items_before_it() -> None:
    """Items framed before a broken item header are kept and the rest counted as one malformed."""
    body = b'{}\n{"type":"event"}\n{}\nnot json\n{"type":"event"}\n{}\n'
    envelope = decode_envelope(body)
    assert [i.type for i in envelope.items] == ["event"]
    assert envelope.malformed == 1


UNFRAMEABLE = [
    b"",
    b"not json\n",
    b"[1]\n",
    b'{}\n{"type": 3}\n{}\n',
    b'{}\n{"type":"event","length":99}\n{}',
]


@pytest.mark.parametrize("body", UNFRAMEABLE)
def test_unframeable_bodies_are_refused(body: bytes) -> None:
    """A body with no readable envelope header, or no framable item, raises DecodeError."""
    with pytest.raises(DecodeError):
        decode_envelope(body)


@given(st.binary(max_size=300))
def test_random_bytes_raise_only_decode_error(body: bytes) -> None:
    """Any bytes either frame or raise DecodeError, never another exception."""
    with contextlib.suppress(DecodeError):
        decode_envelope(body)
