"""The miner's memory of recent lines: a body seen before skips masking, a masked line seen
before skips the tree search.

    lines = LineCache(DEFAULT_MASKS, max_chars=262_144)
    memo = lines.memo("Connection closed by 10.0.0.7 port 5022")  # memo.text: the masked line
    cluster = tree.match_memo(memo)

Two bounded maps, both to a `drain.Memo`: from a raw body (exact duplicates are frequent in
real logs) and from its masked line (the lines of one event with other values). Masking is a
pure function of the body, so the first map is always right; the memo holds a tree answer
only while the tree proves it still holds (see `drain`), so the answers are exactly those of
masking and searching every line. Keys are kept first in, first out, up to `max_chars`
characters in each map (a memo also holds its masked line and template: count about three
times `max_chars` per map, plus some 200 bytes per entry); `max_chars=0` remembers nothing.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from nightcall.analysis.logs.drain import Memo
from nightcall.analysis.logs.masking import MaskRule, mask_line


class _BoundedMap:
    """Memos by key, the oldest keys forgotten first past `max_chars` characters of keys."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self.memos: OrderedDict[str, Memo] = OrderedDict()

    def remember(self, key: str, memo: Memo) -> None:
        if len(key) > self.max_chars:
            return
        self.memos[key] = memo
        self.chars += len(key)
        while self.chars > self.max_chars:
            old, _ = self.memos.popitem(last=False)
            self.chars -= len(old)


class LineCache:
    """Memos of recent lines by body and by masked line, each map bounded in characters."""

    def __init__(self, masks: Sequence[MaskRule], *, max_chars: int) -> None:
        self.masks = tuple(masks)
        self._bodies = _BoundedMap(max_chars)
        self._texts = _BoundedMap(max_chars)
        self.masked = 0  # bodies masked (not seen before, or forgotten), to measure the cache

    def memo(self, body: str) -> Memo:
        """The memo of `body`'s masked line: remembered, or made (its body then masked)."""
        memo = self._bodies.memos.get(body)
        if memo is not None:
            return memo
        self.masked += 1
        text = mask_line(body, self.masks)
        memo = self._texts.memos.get(text)
        if memo is None:
            memo = Memo(text)
            self._texts.remember(text, memo)
        self._bodies.remember(body, memo)
        return memo

    def sizes(self) -> tuple[int, int]:
        """How many bodies and masked lines are remembered."""
        return len(self._bodies.memos), len(self._texts.memos)
