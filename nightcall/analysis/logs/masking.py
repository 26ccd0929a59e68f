"""Generic pre-processing masks: replace obviously variable substrings with `<*>` before Drain.

One set of rules for all logs (no per-dataset regexes): host names, network addresses,
UUIDs, hex values, durations and sizes, numbers that stand alone or follow a separator,
absolute paths and double-quoted strings (`KEY_VALUE_MASK`, for the values of `key=value`
pairs, is opt-in: it measured worse). A rule fires only on a whole value: the lookarounds keep
`eth0`, `jk2_init()` and `ssh2` intact, while `_`, `-`, `.` and `:` end a word, so
`blk_-6952` becomes `blk_<*>` (and `x86_64` becomes `x86_<*>`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

WILDCARD = "<*>"

_NOT_AFTER = r"(?<![A-Za-z0-9.])"  # a value starts at a word edge (`_`, `-`, `:` are edges)
_NOT_AFTER_WORD = r"(?<![A-Za-z0-9])"  # a bare number may follow a dot: `core.4505`
_NOT_BEFORE = r"(?![A-Za-z0-9])"


@dataclass(frozen=True, slots=True, kw_only=True)
class MaskRule:
    """One masking rule: a name (for the ablation in the benchmark) and its pattern."""

    name: str
    pattern: re.Pattern[str]
    replacement: str = WILDCARD
    needs_digit: bool = False  # the pattern cannot match a line without a digit: skip it


def _rule(name: str, pattern: str, replacement: str = WILDCARD) -> MaskRule:
    return MaskRule(
        name=name,
        pattern=re.compile(pattern),
        replacement=replacement,
        needs_digit=name in _DIGIT_RULES,
    )


_DAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?,?"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
_ZONE = r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{3,4}\b))?"
# Whole timestamps: `Sat Jun 18 02:23:10 2005`, `2005-06-18T02:23:10.5Z`, `18/Jun/2005:02:23:10`.
_DATETIME = (
    r"(?<![\w.-])(?:"
    + rf"(?:{_DAY}\s+)?{_MONTH}\s+\d{{1,2}},?\s+(?:\d{{4}}\s+)?{_CLOCK}{_ZONE}(?:\s+\d{{4}}\b)?"
    + rf"|\d{{4}}-\d{{2}}-\d{{2}}[T ]{_CLOCK}{_ZONE}"
    + rf"|\d{{1,2}}/{_MONTH}/\d{{4}}:{_CLOCK}{_ZONE}"
    + r")(?![\w.-])"
)
_DIGIT_RULES = frozenset(
    {"datetime", "hostname", "ipv4", "hex", "long_hex", "duration_size", "number"}
)
_DIGIT = re.compile(r"\d")


# Order matters: the specific shapes first, so an address is one `<*>`, not four.
DEFAULT_MASKS: tuple[MaskRule, ...] = (
    _rule("datetime", _DATETIME),
    # A dotted host name whose first label holds a digit (`node-17.rack2.example.com`); a Java
    # class (`org.apache.v2.App`) is left alone, as its first label has none.
    _rule("hostname", r"(?<![\w.-])[A-Za-z-]*\d[\w-]*(?:\.[A-Za-z][\w-]*){2,}(?![\w.-])"),
    _rule(
        "uuid",
        r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b",
    ),
    _rule("mac", r"\b(?:[0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}\b"),
    _rule("ipv4", _NOT_AFTER + r"\d{1,3}(?:\.\d{1,3}){3}" + _NOT_BEFORE),
    _rule("hex", _NOT_AFTER + r"0[xX][0-9a-fA-F]+" + _NOT_BEFORE),
    _rule("long_hex", r"\b(?=[0-9a-fA-F]*\d)(?=[0-9a-fA-F]*[a-fA-F])[0-9a-fA-F]{8,}\b"),
    _rule(
        "duration_size",
        _NOT_AFTER
        + r"[-+]?(?:(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+"  # `35ms`, Go's `2h13m5.5s`
        + r"|\d+(?:\.\d+)?(?:[KMGT]i?B|[kKMG]|B|bytes))"
        + _NOT_BEFORE,
    ),
    _rule("number", _NOT_AFTER_WORD + r"[-+]?\d+(?:\.\d+)?" + _NOT_BEFORE),
    # A segment may already hold a masked number (`/orders/<*>`): the path stays one `<*>`.
    _rule("path", r"(?<![\w<*>])(?:/(?:[\w.@%+~-]|<\*>)*){2,}"),
    # A double-quoted value may hold spaces, which would change the line's token count.
    _rule("quoted", r'"[^"\n]*"', '"' + WILDCARD + '"'),
)

# Measured and left out of the defaults: on Loghub-2k it adds 0.0005 GA but costs 0.04 PA,
# as the labels keep some values (`uid=0`); the miner keeps `key=` when it generalizes anyway.
KEY_VALUE_MASK = _rule("key_value", r"\b(\w+)=(?!<\*>)(?=\S)[^\s,;&)\]]+", r"\1=" + WILDCARD)


def mask_line(line: str, rules: Sequence[MaskRule] = DEFAULT_MASKS) -> str:
    """Return `line` with every substring a rule matches replaced by that rule's replacement."""
    has_digit = _DIGIT.search(line) is not None
    for rule in rules:
        if has_digit or not rule.needs_digit:
            line = rule.pattern.sub(rule.replacement, line)
    return line


def select_masks(names: Sequence[str]) -> tuple[MaskRule, ...]:
    """Return the built-in rules named in `names`, in their default order.

    Raises:
        ValueError: when a name is not one of the default rules'.
    """
    rules = (*DEFAULT_MASKS, KEY_VALUE_MASK)
    known = {rule.name for rule in rules}
    unknown = sorted(set(names) - known)
    if unknown:
        raise ValueError(f"unknown mask rules {unknown}: valid names are {sorted(known)}")
    return tuple(rule for rule in rules if rule.name in names)
