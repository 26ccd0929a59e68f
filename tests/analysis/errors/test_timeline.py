"""Count series: a readable step per window, and events counted in clock-aligned buckets."""

from __future__ import annotations

from nightcall.analysis.errors import bucket_counts, choose_step_ns
from nightcall.store.queries_traces import Window

S = 1_000_000_000
MIN = 60 * S


def test_step_keeps_the_window_within_sixty_buckets() -> None:
    """An hour gets 1-minute bars, a day 30-minute bars, a week 3-hour bars."""

    def step_min(span_ns: int) -> float:
        return choose_step_ns(Window(start_ns=0, end_ns=span_ns)) / MIN

    assert step_min(15 * MIN) == 1
    assert step_min(60 * MIN) == 1
    assert step_min(61 * MIN) == 5
    assert step_min(24 * 60 * MIN) == 30
    assert step_min(7 * 24 * 60 * MIN) == 180
    assert choose_step_ns(Window(start_ns=0, end_ns=10 * MIN), max_buckets=2) == 5 * MIN


def test_buckets_align_to_the_step_on_the_clock() -> None:
    """A window starting mid-minute starts its first bucket at the minute; outside times drop."""
    window = Window(start_ns=10 * MIN + 30 * S, end_ns=13 * MIN + 30 * S)
    series = bucket_counts([10 * MIN + 40 * S, 11 * MIN, 13 * MIN + 29 * S, 13 * MIN + 30 * S,
                            5 * MIN], window, MIN)  # fmt: skip
    assert (series.start_ns, series.step_ns) == (10 * MIN, MIN)
    assert series.counts == (1, 1, 0, 1)
