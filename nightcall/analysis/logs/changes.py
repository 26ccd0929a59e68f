"""Template changes inside an anomaly window: templates never seen before, and rate spikes.

Pure functions over per-template counts (template id -> lines) in a baseline and in a window,
with the two durations, so rates compare across windows of different lengths. A spike is a
one-sided Poisson test: with the baseline rate scaled to the window as the expected count, the
window's count must be improbable (`p_value <= max_p_value`), at least `min_count`, and at least
`min_ratio` times the expected count. A template absent from the baseline is "new", never a
spike; the baseline rate gets a floor of half a line per baseline so one quiet template does
not divide by zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from scipy.stats import poisson


@dataclass(frozen=True, slots=True, kw_only=True)
class NewTemplate:
    """A template with lines in the window and none in the baseline."""

    template_id: int
    window_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateSpike:
    """A template whose rate in the window is far above its baseline rate."""

    template_id: int
    window_count: int
    baseline_count: int
    expected_count: float
    ratio: float
    p_value: float


def find_new_templates(
    baseline: Mapping[int, int], window: Mapping[int, int], *, min_count: int = 1
) -> list[NewTemplate]:
    """Return the templates with at least `min_count` lines in the window and none before.

    Sorted by descending window count, then id, so the loudest new line comes first.
    """
    found = [
        NewTemplate(template_id=tid, window_count=count)
        for tid, count in window.items()
        if count >= min_count and baseline.get(tid, 0) == 0
    ]
    return sorted(found, key=lambda n: (-n.window_count, n.template_id))


def find_template_spikes(
    baseline: Mapping[int, int],
    window: Mapping[int, int],
    *,
    baseline_s: float,
    window_s: float,
    min_count: int = 5,
    min_ratio: float = 3.0,
    max_p_value: float = 0.001,
) -> list[TemplateSpike]:
    """Return the templates seen in the baseline whose window rate spikes, most surprising first.

    Raises:
        ValueError: when a duration is not positive.
    """
    if baseline_s <= 0 or window_s <= 0:
        raise ValueError(
            f"durations must be positive: baseline_s={baseline_s}, window_s={window_s}"
        )
    scale = window_s / baseline_s
    spikes = []
    for tid, count in window.items():
        before = baseline.get(tid, 0)
        if before == 0 or count < min_count:
            continue
        expected = max(before, 0.5) * scale
        ratio = count / expected
        p_value = float(poisson.sf(count - 1, expected))
        if ratio >= min_ratio and p_value <= max_p_value:
            spikes.append(
                TemplateSpike(
                    template_id=tid,
                    window_count=count,
                    baseline_count=before,
                    expected_count=expected,
                    ratio=ratio,
                    p_value=p_value,
                )
            )
    return sorted(spikes, key=lambda s: (s.p_value, -s.ratio, s.template_id))
