"""Change events that line up with an anomaly: the deploy or restart just before it began.

A change explains an onset when it came shortly before it, or a little after (an onset
estimated from noisy steps can land early): by default up to fifteen minutes before and three
minutes after. The nearest change comes first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nightcall.model import ChangeEvent

BEFORE_NS = 900 * 1_000_000_000
AFTER_NS = 180 * 1_000_000_000


@dataclass(frozen=True, slots=True, kw_only=True)
class AlignedChange:
    """A change event and how long before the onset it happened (negative: after it)."""

    change: ChangeEvent
    lead_ns: int


def align_changes(
    changes: Sequence[ChangeEvent],
    onset_ns: int,
    *,
    service: str | None = None,
    before_ns: int = BEFORE_NS,
    after_ns: int = AFTER_NS,
) -> list[AlignedChange]:
    """Changes (of `service`, when given) from `before_ns` before to `after_ns` after the onset."""
    aligned = [
        AlignedChange(change=c, lead_ns=onset_ns - c.time_ns)
        for c in changes
        if (service is None or c.service == service)
        and -after_ns <= onset_ns - c.time_ns <= before_ns
    ]
    aligned.sort(key=lambda a: abs(a.lead_ns))
    return aligned
