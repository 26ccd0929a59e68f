"""StatsD and DogStatsD text → samples: pure, and never raising on what a socket delivers.

    name:value|type[|@sample_rate][|#tag:value,tag2][|c:container][|T1700000000]

One datagram holds one line or several separated by newlines. Types: `c` counter, `g` gauge
(`+N`/`-N` change the last value), `ms` timer, `h` histogram, `d` distribution, `s` set.
DogStatsD's multi-value form (`name:1:2:3|d`) gives one sample per value. Events (`_e{`) and
service checks (`_sc|`) are not metrics: `decode_datagram` reports them apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from nightcall.errors import DecodeError


class StatsdType(StrEnum):
    """The metric types of the StatsD line protocol."""

    COUNTER = "c"
    GAUGE = "g"
    TIMER = "ms"
    HISTOGRAM = "h"
    DISTRIBUTION = "d"
    SET = "s"


_TYPES = {t.value: t for t in StatsdType}
Tags = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Sample:
    """One observation: `value` is numeric except for sets, whose members are strings."""

    name: str
    type: StatsdType
    value: float
    member: str = ""  # the set member, for `s`
    sample_rate: float = 1.0
    tags: Tags = ()
    is_delta: bool = False  # a gauge `+N` / `-N`


@dataclass(frozen=True, slots=True)
class DecodedDatagram:
    """What one datagram held: its samples, the malformed lines and the non-metric lines."""

    samples: list[Sample]
    malformed: list[DecodeError]
    unsupported: int = 0


def _bad(line: str, why: str) -> DecodeError:
    return DecodeError(
        f"StatsD line {line[:200]!r} is malformed: {why}",
        location="statsd",
        hint="send name:value|type[|@rate][|#tag:value,...] with type c, g, ms, h, d or s",
    )


def _parse_tags(text: str) -> Tags:
    tags = []
    for item in text.split(","):
        if not item:
            continue
        key, _, value = item.partition(":")
        tags.append((key, value))
    return tuple(tags)


def _number(text: str, line: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(line, f"value {text!r} is not a number") from None
    if not math.isfinite(value):
        raise _bad(line, f"value {text!r} is not finite")
    return value


def decode_line(line: str) -> list[Sample]:
    """The samples of one metric line (several for DogStatsD multi-value lines).

    Raises:
        DecodeError: the line is not a StatsD metric line; the message quotes it.
    """
    head, sep, rest = line.partition("|")
    if not sep:
        raise _bad(line, "there is no '|type'")
    name, colon, values_text = head.partition(":")
    name = name.strip()
    if not colon or not name:
        raise _bad(line, "a metric needs name:value")
    fields = rest.split("|")
    kind = _TYPES.get(fields[0])
    if kind is None:
        raise _bad(line, f"type {fields[0]!r} is not one of c, g, ms, h, d, s")
    sample_rate = 1.0
    tags: Tags = ()
    for extra in fields[1:]:
        if extra.startswith("@"):
            sample_rate = _number(extra[1:], line)
            if not 0 < sample_rate <= 1:
                raise _bad(line, f"sample rate {extra[1:]} is not in (0, 1]")
        elif extra.startswith("#"):
            tags = _parse_tags(extra[1:])
        elif not extra.startswith(("c:", "T", "e:", "card:")):  # container, timestamp, ...
            raise _bad(line, f"field {extra!r} is not @rate or #tags")
    raw_values = values_text.split(":") if kind is not StatsdType.SET else [values_text]
    samples = []
    for raw in raw_values:
        if not raw:
            raise _bad(line, "the value is empty")
        if kind is StatsdType.SET:
            samples.append(Sample(name, kind, 1.0, raw, sample_rate, tags))
            continue
        value = _number(raw, line)
        is_delta = kind is StatsdType.GAUGE and raw[0] in "+-"
        samples.append(Sample(name, kind, value, "", sample_rate, tags, is_delta))
    return samples


def decode_datagram(data: bytes) -> DecodedDatagram:
    """Every line of a datagram; a bad line is reported and the others are kept."""
    text = data.decode("utf-8", errors="replace")
    samples: list[Sample] = []
    malformed: list[DecodeError] = []
    unsupported = 0
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith(("_e{", "_sc|")):
            unsupported += 1
            continue
        try:
            samples.extend(decode_line(line))
        except DecodeError as exc:
            malformed.append(exc)
    return DecodedDatagram(samples, malformed, unsupported)
