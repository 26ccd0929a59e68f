"""Tests for the generic pre-processing masks."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nightcall.analysis.logs import DEFAULT_MASKS, KEY_VALUE_MASK, MaskRule, mask_line
from nightcall.analysis.logs.masking import select_masks

LOGHUB = Path(__file__).resolve().parents[4] / "shared" / "data" / "loghub-2k"
ALL_RULES = (*DEFAULT_MASKS, KEY_VALUE_MASK)
# Characters and pieces the rules look for, so that random text often comes close to a match.
_PIECES = [*"0123456789abcdefxXABCDEFGKMTBbnumshdµ.:-/_\"=<*>,;()[]%+~@ \t\n٣Zz",
           "Jun", "Sat", "Mon ", "2005", "12:30:01", "2024-03-01T", "10.0.0.7", "0x1f", "ms",
           "bytes", "KiB", "<*>", "node-1.a.b", "deadbeef", "::", "/var", "k=v"]  # fmt: skip
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


def _mask_with_every_rule(line: str, rules: Sequence[MaskRule]) -> str:
    """The masking without prechecks: every rule's substitution, in order."""
    for rule in rules:
        line = rule.pattern.sub(rule.replacement, line)
    return line


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("from 10.0.0.7:5022 ok", "from <*>:<*> ok"),
        ("node node-17.rack2.example.com up", "node <*> up"),
        ("class org.apache.v2.App loaded", "class org.apache.v2.App loaded"),
        ("id 3f2b1c4e-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "id <*>"),
        ("mac 00:1a:2b:3c:4d:5e", "mac <*>"),
        ("at 0x7ffd1234 and deadbeef01", "at <*> and <*>"),
        ("took 35ms, 1.5s and 12KB", "took <*>, <*> and <*>"),
        ("block blk_-6952 core.4505 v6.1", "block blk_<*> core.<*> v6.<*>"),
        ("eth0 jk2_init() ssh2 x86_64", "eth0 jk2_init() ssh2 x86_<*>"),
        ("open /var/lib/app/data.db", "open <*>"),
        ('tag="Screen Lock" set', 'tag="<*>" set'),
        ("no digits here", "no digits here"),
        ("at Sat Jun 18 02:23:10 2005 timed out", "at <*> timed out"),
        ("at 2024-03-01T12:00:05.123+01:00 ok", "at <*> ok"),
        ('[18/Jun/2005:02:23:10 +0000] "GET', '[<*>] "GET'),
        ("Maybe 3 12:00 later", "Maybe <*> <*>:<*> later"),
        ("exited after 2h13m, retry in 1m30.5s", "exited after <*>, retry in <*>"),
        ("GET /api/v1/orders/8812 200", "GET <*> <*>"),
    ],
)
def test_masks_replace_whole_values_only(line: str, masked: str) -> None:
    """Each rule masks a whole value and leaves identifiers that merely hold a digit."""
    assert mask_line(line) == masked


def test_key_value_mask_is_opt_in() -> None:
    """The `key=value` rule masks non-empty values when it is asked for."""
    assert mask_line("user=root ruser= x", (KEY_VALUE_MASK,)) == "user=<*> ruser= x"
    assert select_masks(["key_value", "ipv4"])[-1] is KEY_VALUE_MASK


def test_select_masks_names_the_valid_choices() -> None:
    """An unknown rule name is refused with the list of valid names."""
    with pytest.raises(ValueError, match=r"unknown mask rules \['ip'\]: valid names are"):
        select_masks(["ip"])


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=40)))
def test_a_rule_matches_only_where_its_precheck_finds_something(text: str) -> None:
    """Each precheck finds something in every text its rule matches in."""
    for rule in ALL_RULES:
        if rule.precheck is not None and rule.pattern.search(text) is not None:
            assert rule.precheck.search(text) is not None, rule.name


@settings(max_examples=1000, deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=40)))
def test_prechecks_leave_the_masked_line_unchanged(text: str) -> None:
    """Skipping rules by their prechecks gives the line every rule in turn gives."""
    assert mask_line(text) == _mask_with_every_rule(text, DEFAULT_MASKS)
    assert mask_line(text, ALL_RULES) == _mask_with_every_rule(text, ALL_RULES)


@pytest.mark.skipif(not LOGHUB.is_dir(), reason="the shared Loghub-2k data is not beside the repo")
def test_prechecks_leave_every_loghub_line_unchanged() -> None:
    """On the 24,000 Loghub-2k lines, masking with prechecks equals masking without."""
    for path in sorted(LOGHUB.glob("*/*_2k.log_structured.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            lines = [row["Content"] for row in csv.DictReader(handle)]
        for rules in (DEFAULT_MASKS, ALL_RULES):
            masked = [mask_line(line, rules) for line in lines]
            assert masked == [_mask_with_every_rule(line, rules) for line in lines], path.name
