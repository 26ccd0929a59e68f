"""Template changes inside an anomaly window: templates never seen before, and rate spikes.

Pure functions over per-template counts (template id -> lines) in a baseline and in a window,
with the two durations, so rates compare across windows of different lengths. A spike is a
one-sided Poisson test: with the baseline rate scaled to the window as the expected count, the
window's count must be improbable (`p_value <= max_p_value`), at least `min_count`, and at least
`min_ratio` times the expected count. A template absent from the baseline is "new", never a
spike; the baseline rate gets a floor of half a line per baseline so one quiet template does
not divide by zero. Every record carries its evidence: the counts, the rates (lines per
second) and, when the caller passes them, the time each template was first seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scipy.stats import poisson

BASELINE_FLOOR_LINES = 0.5  # a template seen in the baseline is expected at least this often


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTemplate:
    """A template with lines in the window and none in the baseline."""

    template_id: int
    window_count: int
    window_rate_per_s: float
    first_seen_unix_nano: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateSpike:
    """A template whose rate in the window is far above its baseline rate."""

    template_id: int
    window_count: int
    baseline_count: int
    window_rate_per_s: float
    baseline_rate_per_s: float
    expected_count: float
    ratio: float
    p_value: float
    first_seen_unix_nano: int | None = None


def _check_durations(**durations_s: float) -> None:
    bad = {name: value for name, value in durations_s.items() if not value > 0}
    if bad:
        shown = ", ".join(f"{name}={value}" for name, value in durations_s.items())
        raise ValueError(f"durations must be positive seconds: {shown}")


def find_new_templates(
    baseline: Mapping[int, int],
    window: Mapping[int, int],
    *,
    window_s: float,
    first_seen_unix_nano: Mapping[int, int] | None = None,
    min_count: int = 1,
) -> list[NewTemplate]:
    """Return the templates with at least `min_count` lines in the window and none before.

    Sorted by first seen (when known, earliest first: the first odd line is usually the
    clue), then by descending window count and id.

    Raises:
        ValueError: when `window_s` is not positive.
    """
    _check_durations(window_s=window_s)
    first_seen = first_seen_unix_nano or {}
    found = [
        NewTemplate(
            template_id=tid,
            window_count=count,
            window_rate_per_s=count / window_s,
            first_seen_unix_nano=first_seen.get(tid),
        )
        for tid, count in window.items()
        if count >= min_count and baseline.get(tid, 0) == 0
    ]
    return sorted(found, key=_new_order)


def _new_order(new: NewTemplate) -> tuple[bool, int, int, int]:
    seen = new.first_seen_unix_nano
    return (seen is None, seen or 0, -new.window_count, new.template_id)


def find_template_spikes(
    baseline: Mapping[int, int],
    window: Mapping[int, int],
    *,
    baseline_s: float,
    window_s: float,
    first_seen_unix_nano: Mapping[int, int] | None = None,
    min_count: int = 5,
    min_ratio: float = 3.0,
    max_p_value: float = 0.001,
) -> list[TemplateSpike]:
    """Return the templates seen in the baseline whose window rate spikes, most surprising first.

    Raises:
        ValueError: when a duration is not positive.
    """
    _check_durations(baseline_s=baseline_s, window_s=window_s)
    first_seen = first_seen_unix_nano or {}
    scale = window_s / baseline_s
    spikes = []
    for tid, count in window.items():
        before = baseline.get(tid, 0)
        if before == 0 or count < min_count:
            continue
        expected = max(before, BASELINE_FLOOR_LINES) * scale
        ratio = count / expected
        p_value = float(poisson.sf(count - 1, expected))
        if ratio >= min_ratio and p_value <= max_p_value:
            spikes.append(
                TemplateSpike(
                    template_id=tid,
                    window_count=count,
                    baseline_count=before,
                    window_rate_per_s=count / window_s,
                    baseline_rate_per_s=before / baseline_s,
                    expected_count=expected,
                    ratio=ratio,
                    p_value=p_value,
                    first_seen_unix_nano=first_seen.get(tid),
                )
            )
    return sorted(spikes, key=lambda s: (s.p_value, -s.ratio, s.template_id))
