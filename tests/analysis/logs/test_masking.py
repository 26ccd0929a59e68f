"""Tests for the generic pre-processing masks."""

from __future__ import annotations

import pytest

from nightcall.analysis.logs import KEY_VALUE_MASK, mask_line
from nightcall.analysis.logs.masking import select_masks


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
