"""Token-level operations of the miner: matching a token to a template token, the similarity
of a line to a template, and generalizing a template to cover a line.

A template token is literal (`ssh2`), the variable `<*>`, or literal parts around `<*>`
(`(uid=<*>)`, `blk_<*>`), which stands for any token with those parts.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nightcall.analysis.logs.masking import WILDCARD


@lru_cache(maxsize=4096)
def _token_pattern(token: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in token.split(WILDCARD)), re.DOTALL)


def token_matches(template_token: str, token: str) -> bool:
    """Whether `token` is an instance of `template_token` (`<*>` matching any characters)."""
    if template_token in (token, WILDCARD):
        return True
    return (
        WILDCARD in template_token and _token_pattern(template_token).fullmatch(token) is not None
    )


def similarity(template: list[str], tokens: list[str]) -> tuple[float, int]:
    """Return the share of positions where `template` and `tokens` agree, and its `<*>` count.

    Both sequences have the same length. A `<*>` agrees only with a `<*>` (a masked value in
    the line), as in the original Drain's sequence distance, and a token with a variable part
    (`(uid=<*>)`) only with itself: counting its instances as agreeing measured worse. The
    `<*>` count breaks ties in favour of the more general template.
    """
    if not tokens:
        return 1.0, 0
    equal = 0
    wildcards = 0
    for t, s in zip(template, tokens, strict=True):
        if t == WILDCARD:
            wildcards += 1
            equal += s == WILDCARD
        elif t == s:
            equal += 1
    return equal / len(tokens), wildcards


def is_settled_conflict(template_token: str, token: str) -> bool:
    """Whether `token` differs from a template token that is wholly literal.

    Only wholly literal tokens count: a token with a variable part (`(uid=<*>)`) has already
    varied, and treating its literal parts as settled measured worse.
    """
    return template_token != token and WILDCARD not in template_token


def covers_either_way(first: list[str], second: list[str]) -> bool:
    """Whether, at every position, one template's token covers the other's."""
    return all(
        token_matches(a, b) or token_matches(b, a) for a, b in zip(first, second, strict=True)
    )


def _is_separator(char: str) -> bool:
    return not char.isalnum() and char not in "<*>"


def merge_token(template_token: str, token: str, *, keep_shared_affixes: bool = True) -> str:
    """Generalize one template token to also cover `token`.

    The part both share up to a separator (`key=`, `(`) and from one (`,`, `)`) stays, so
    `rhost=a` and `rhost=` give `rhost=<*>`, and `(uid=0)` and `(uid=42)` give `(uid=<*>)`.
    """
    if token_matches(template_token, token):
        return template_token
    if not keep_shared_affixes:
        return WILDCARD
    limit = min(len(template_token), len(token))
    start = 0
    while start < limit and template_token[start] == token[start]:
        start += 1
    while start > 0 and not _is_separator(template_token[start - 1]):
        start -= 1
    end = 0
    while end < limit - start and template_token[-1 - end] == token[-1 - end]:
        end += 1
    while end > 0 and not _is_separator(template_token[-end]):
        end -= 1
    suffix = template_token[len(template_token) - end :] if end else ""
    return template_token[:start] + WILDCARD + suffix


def generalize(
    template: list[str], tokens: list[str], *, keep_shared_affixes: bool = True
) -> list[str]:
    """Return `template` generalized to cover `tokens`, position by position."""
    return [
        merge_token(t, s, keep_shared_affixes=keep_shared_affixes)
        for t, s in zip(template, tokens, strict=True)
    ]
