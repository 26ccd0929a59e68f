"""Count series for error groups: a readable step for the window, and counts per bucket.

The step is the smallest of 1 minute, 5, 10, 15, 30 minutes, 1, 3, 6, 12 hours, 1 day or
1 week that keeps the window within `max_buckets` buckets, so a sparkline of the last hour has
one bar per minute and one of the last week one bar per 3 hours. Buckets are aligned to the
step on the clock (bucket i covers [start + i * step, start + (i + 1) * step), where start is the
window's start rounded down to the step), so asking again a minute later moves no boundary;
the first and last buckets may hold only part of a step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nightcall.store.queries_traces import Window

_MINUTE_NS = 60 * 1_000_000_000
NICE_STEPS_NS = tuple(
    minutes * _MINUTE_NS for minutes in (1, 5, 10, 15, 30, 60, 180, 360, 720, 1440, 10_080)
)
DEFAULT_MAX_BUCKETS = 60


@dataclass(frozen=True, slots=True, kw_only=True)
class CountSeries:
    """Counts per bucket from `start_ns`, one every `step_ns`."""

    start_ns: int
    step_ns: int
    counts: tuple[int, ...]


def choose_step_ns(window: Window, *, max_buckets: int = DEFAULT_MAX_BUCKETS) -> int:
    """The smallest nice step that keeps `window` within `max_buckets` buckets."""
    # Whole seconds: a window that ends at "now" reaches one nanosecond past it, to include it.
    span_ns = max(1, (window.end_ns - window.start_ns) // 1_000_000_000 * 1_000_000_000)
    for step_ns in NICE_STEPS_NS:
        if -(-span_ns // step_ns) <= max_buckets:
            return step_ns
    return -(-span_ns // max_buckets)  # windows over a year: an even split


def bucket_counts(times_ns: Iterable[int], window: Window, step_ns: int) -> CountSeries:
    """How many of `times_ns` fall in each bucket of the window (times outside are left out)."""
    start_ns = window.start_ns // step_ns * step_ns
    buckets = max(1, (max(window.start_ns, window.end_ns - 1) - start_ns) // step_ns + 1)
    counts = [0] * buckets
    for time_ns in times_ns:
        if window.start_ns <= time_ns < window.end_ns:
            counts[(time_ns - start_ns) // step_ns] += 1
    return CountSeries(start_ns=start_ns, step_ns=step_ns, counts=tuple(counts))
