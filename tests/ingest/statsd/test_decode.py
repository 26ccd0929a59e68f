"""StatsD/DogStatsD line decoding: every type, tags, sample rates, and bad lines."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nightcall.errors import DecodeError
from nightcall.ingest.statsd import Sample, StatsdType, decode_datagram, decode_line


def test_counter_with_rate_and_tags() -> None:
    """A counter keeps its value, sample rate and DogStatsD tags (a bare tag has no value)."""
    [sample] = decode_line("page.views:3|c|@0.1|#env:prod,canary")
    assert sample == Sample(
        "page.views", StatsdType.COUNTER, 3.0, "", 0.1, (("env", "prod"), ("canary", ""))
    )


@pytest.mark.parametrize(
    ("line", "kind", "value", "is_delta"),
    [
        ("queue:12|g", StatsdType.GAUGE, 12.0, False),
        ("queue:+4|g", StatsdType.GAUGE, 4.0, True),
        ("queue:-2.5|g", StatsdType.GAUGE, -2.5, True),
        ("db.query:320.5|ms", StatsdType.TIMER, 320.5, False),
        ("payload:512|h", StatsdType.HISTOGRAM, 512.0, False),
        ("latency:0.25|d", StatsdType.DISTRIBUTION, 0.25, False),
    ],
)
def test_numeric_types(line: str, kind: StatsdType, value: float, is_delta: bool) -> None:
    """Gauges (with +/- deltas), timers, histograms and distributions decode to their type."""
    [sample] = decode_line(line)
    assert (sample.type, sample.value, sample.is_delta) == (kind, value, is_delta)


def test_set_member_is_kept_as_text() -> None:
    """A set's value is a member, not a number."""
    [sample] = decode_line("users.unique:alice@example.com|s")
    assert (sample.type, sample.member) == (StatsdType.SET, "alice@example.com")


def test_multi_value_line_gives_one_sample_per_value() -> None:
    """DogStatsD's name:v1:v2|d form is several observations of one metric."""
    samples = decode_line("latency:1:2:3|d|#route:/a")
    assert [s.value for s in samples] == [1.0, 2.0, 3.0]
    assert all(s.tags == (("route", "/a"),) for s in samples)


def test_container_and_timestamp_fields_are_ignored() -> None:
    """Fields the agent adds (c:container, T timestamp, card:) do not make a line malformed."""
    [sample] = decode_line("jobs:1|c|#a:b|c:abc123|T1700000000|card:low")
    assert sample.tags == (("a", "b"),)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("no-pipe", "there is no '|type'"),
        (":1|c", "a metric needs name:value"),
        ("name|c", "a metric needs name:value"),
        ("name:1|x", "type 'x' is not one of"),
        ("name:abc|c", "value 'abc' is not a number"),
        ("name:nan|g", "value 'nan' is not finite"),
        ("name:1|c|@2", "sample rate 2 is not in"),
        ("name:|c", "the value is empty"),
        ("name:1|c|bogus", "field 'bogus' is not @rate or #tags"),
    ],
)
def test_malformed_lines_say_why(line: str, reason: str) -> None:
    """A bad line raises DecodeError quoting the line and the reason."""
    with pytest.raises(DecodeError, match="malformed") as caught:
        decode_line(line)
    assert reason in caught.value.message
    assert repr(line) in caught.value.message


def test_datagram_keeps_good_lines_around_bad_ones() -> None:
    """Several lines per datagram: bad ones are reported, the others kept, events set apart."""
    decoded = decode_datagram(b"a:1|c\n\nbad\nb:2|g\r\n_e{5,4}:title|text\nc:x|ms\n")
    assert [s.name for s in decoded.samples] == ["a", "b"]
    assert len(decoded.malformed) == 2
    assert decoded.unsupported == 1


@given(st.binary(max_size=512))
def test_random_bytes_never_raise(data: bytes) -> None:
    """Whatever arrives on the socket, decoding returns (bad lines are reported, not raised)."""
    decoded = decode_datagram(data)
    assert len(decoded.samples) + len(decoded.malformed) + decoded.unsupported <= len(data) * 2


@given(st.text(max_size=200))
def test_random_text_lines_raise_only_decode_error(line: str) -> None:
    """A single line either decodes or raises DecodeError, nothing else."""
    try:
        samples = decode_line(line)
    except DecodeError:
        return
    assert all(s.name for s in samples)
